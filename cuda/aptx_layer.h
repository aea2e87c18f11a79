// The host interface of the APTx Neuron layer's CUDA kernels (cuda/aptx_layer.cu): device
// pointers, queued on a stream, the launch error returned (cudaSuccess when queued). The same
// shapes and weights as the CPU layer (cpp/layer/aptx_layer_kernels.h).
#pragma once

#include <cuda_runtime.h>

#include <vector>

#include "../cpp/layer/aptx_layer_kernels.h"

namespace ak {
namespace gpu {

// The launches a pass queues, computed on the host (and exported for tests): a grid's y is
// bounded by CUDA, so rows beyond 65535 blocks take further launches.
constexpr size_t kMaxGridY = 65535;
enum class LayerKernel { Forward, ParamGrad, DeltaGrad, InputGrad };
struct LayerLaunch {
  LayerKernel kernel;
  unsigned grid_x, grid_y, threads, row_block0;
};
std::vector<LayerLaunch> aptx_layer_plan(const AptxLayerShape& s, bool backward);

cudaError_t launch_aptx_layer_forward(const AptxLayerShape& s, const float* x,
                                      const AptxLayerWeights& w, float* y, cudaStream_t stream);
cudaError_t launch_aptx_layer_backward(const AptxLayerShape& s, const float* x, const float* dy,
                                       const AptxLayerWeights& w, float* dx,
                                       const AptxLayerGrads& g, cudaStream_t stream);

}  // namespace gpu
}  // namespace ak
