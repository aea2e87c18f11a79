// AArch64 NEON (always present on arm64).
#include "../layer/aptx_layer_kernels.h"
#include "../simd/neon.h"
#include "kernels.h"

namespace ak {
extern const CpuKernels kNeonKernels = make_cpu_kernels<Vec4>("neon");
extern const AptxLayerKernels kNeonAptxLayer = make_aptx_layer_kernels<Vec4>("neon");
}  // namespace ak
