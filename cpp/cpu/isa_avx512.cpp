// Built with -mavx512f; used only when the processor and the OS report AVX-512F.
#include "../simd/avx512.h"
#include "kernels.h"

namespace ak {
extern const CpuKernels kAvx512Kernels = make_cpu_kernels<Vec16>("avx512");
}
