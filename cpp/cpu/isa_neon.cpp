// AArch64 NEON (always present on arm64).
#include "../simd/neon.h"
#include "kernels.h"

namespace ak {
extern const CpuKernels kNeonKernels = make_cpu_kernels<Vec4>("neon");
}
