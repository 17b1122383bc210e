// dup.cu - device code that dup2.cu repeats verbatim, so libdup.so carries
// two byte-identical cubins (duplicate-gpu-code).
static __global__ void dup_kernel(int *x) { x[threadIdx.x] += 1; }
void launch_a(int *x) { dup_kernel<<<1, 32>>>(x); }
