// The portable path: baseline flags, one float at a time.
#include "../layer/aptx_layer_kernels.h"
#include "kernels.h"

namespace ak {
extern const CpuKernels kScalarKernels = make_cpu_kernels<float>("scalar");
extern const AptxLayerKernels kScalarAptxLayer = make_aptx_layer_kernels<float>("scalar");
}  // namespace ak
