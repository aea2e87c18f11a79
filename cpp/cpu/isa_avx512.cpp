// Built with -mavx512f; used only when the processor and the OS report AVX-512F.
#include "../layer/aptx_layer_kernels.h"
#include "../simd/avx512.h"
#include "kernels.h"

namespace ak {
extern const CpuKernels kAvx512Kernels = make_cpu_kernels<Vec16>("avx512");
extern const AptxLayerKernels kAvx512AptxLayer = make_aptx_layer_kernels<Vec16>("avx512");
}  // namespace ak
