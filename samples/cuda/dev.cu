// dev.cu - a second translation unit for the -rdc=true samples: its kernel
// calls a __device__ function defined in lib.cu (separate compilation).
extern __device__ float lib_square(float v);

__global__ void saxpy(float a, const float *x, float *y, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n)
		y[i] = a * lib_square(x[i]) + y[i];
}
