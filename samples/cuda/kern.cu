// kern.cu - tiny CUDA kernels for slim's fatbin samples (see build.sh).
// The __global__ functions here are the kernels MANIFEST lists.
namespace slimk {
__device__ __noinline__ float twice(float v) { return 2.0f * v; }

__global__ void add_one(float *x, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n)
		x[i] = twice(x[i]) - x[i] + 1.0f;
}

template <typename T> __global__ void scale(T *x, T s, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n)
		x[i] *= s;
}
template __global__ void scale<float>(float *, float, int);
template __global__ void scale<double>(double *, double, int);
} // namespace slimk

extern "C" __global__ void fill_zero(int *x, int n)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i < n)
		x[i] = 0;
}

int main(void) { return 0; }
