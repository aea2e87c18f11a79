// The APTx Neuron layer on the host: the kernels of the ISA in use (cpu_isa()), spread over
// threads. Results do not depend on the thread count.
#pragma once

#include "aptx_layer_kernels.h"

namespace ak {

// y (B x m) = layer(x (B x d)).
void aptx_layer_forward(const AptxLayerShape& s, const float* x, const AptxLayerWeights& w,
                        float* y, int threads);
// dx (B x d) and the weight gradients from dy (B x m).
void aptx_layer_backward(const AptxLayerShape& s, const float* x, const float* dy,
                         const AptxLayerWeights& w, float* dx, const AptxLayerGrads& g,
                         int threads);

}  // namespace ak
