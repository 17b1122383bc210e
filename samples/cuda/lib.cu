// lib.cu - device code for the static and shared library samples.
__device__ float lib_square(float v) { return v * v; }

__global__ void lib_kernel(float *x, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n)
		x[i] = lib_square(x[i]);
}
