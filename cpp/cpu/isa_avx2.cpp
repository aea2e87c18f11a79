// Built with -mavx2 -mfma; used only when the processor reports both.
#include "../layer/aptx_layer_kernels.h"
#include "../simd/avx2.h"
#include "kernels.h"

namespace ak {
extern const CpuKernels kAvx2Kernels = make_cpu_kernels<Vec8>("avx2");
extern const AptxLayerKernels kAvx2AptxLayer = make_aptx_layer_kernels<Vec8>("avx2");
}  // namespace ak
