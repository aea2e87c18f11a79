// The APTx Neuron layer on CUDA: tiled forward and backward over the same Aptx formulas as the
// CPU (cpp/activations.h, V = float, AK_HD), with deterministic reductions: every output is
// summed by one thread in a fixed order, never with atomics, so a run gives the same bits every
// time. Built in cuda.cmake's ak_cuda target (-DAK_ISA_NS=cuda --fmad=false); launched by
// cudaAptxLayer in binding/cuda/layer.cpp.
#include "../cpp/activations.h"
#include "aptx_layer.h"

namespace ak {
namespace gpu {
namespace {

constexpr int kTile = 16;  // blocks of 16 x 16 threads; tiles of 16 x 16 values in shared memory

// y[b, j]: thread (x: j, y: b). The inputs i advance a tile at a time through shared memory.
__global__ void aptx_forward(AptxLayerShape s, const float* x, AptxLayerWeights w, float* y,
                             unsigned row_block0) {
  __shared__ float xs[kTile][kTile + 1];                                                // [b][i]
  __shared__ float a1s[kTile][kTile + 1], b2s[kTile][kTile + 1], gs[kTile][kTile + 1];  // [j][i]
  const int d = int(s.inputs), m = int(s.outputs), batch = int(s.batch);
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int b0 = int(row_block0 + blockIdx.y) * kTile, j0 = blockIdx.x * kTile;
  float acc = 0.f;
  for (int i0 = 0; i0 < d; i0 += kTile) {
    const int i = i0 + tx;
    const bool xin = b0 + ty < batch && i < d, win = j0 + ty < m && i < d;
    const size_t k = size_t(j0 + ty) * d + i;
    xs[ty][tx] = xin ? x[size_t(b0 + ty) * d + i] : 0.f;
    a1s[ty][tx] = win ? w.alpha[k] - 1.f : 0.f;
    b2s[ty][tx] = win ? 2.f * w.beta[k] : 0.f;
    gs[ty][tx] = win ? w.gamma[k] : 0.f;
    __syncthreads();
    const int n = d - i0 < kTile ? d - i0 : kTile;
    for (int c = 0; c < n; ++c)
      acc += Aptx::forward_with(xs[ty][c], a1s[tx][c], b2s[tx][c], gs[tx][c]);
    __syncthreads();
  }
  const int b = b0 + ty, j = j0 + tx;
  if (b < batch && j < m) y[size_t(b) * m + j] = acc + w.delta[j];
}

// The weight gradients of (j, i): thread (x: i, y: j), summing over the batch a tile at a time
// (float within a tile, double across tiles, as on the CPU).
__global__ void aptx_param_grad(AptxLayerShape s, const float* x, const float* dy,
                                AptxLayerWeights w, AptxLayerGrads g, unsigned row_block0) {
  __shared__ float xs[kTile][kTile + 1];   // [b][i]
  __shared__ float dys[kTile][kTile + 1];  // [b][j]
  const int d = int(s.inputs), m = int(s.outputs), batch = int(s.batch);
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int i = blockIdx.x * kTile + tx, j = int(row_block0 + blockIdx.y) * kTile + ty;
  const int jload = int(row_block0 + blockIdx.y) * kTile + tx;
  const bool inside = i < d && j < m;
  const size_t k = size_t(j) * d + i;
  const float a1 = inside ? w.alpha[k] - 1.f : 0.f, b2 = inside ? 2.f * w.beta[k] : 0.f;
  const float gamma = inside ? w.gamma[k] : 0.f;
  double sums[3] = {0.0, 0.0, 0.0};
  for (int b0 = 0; b0 < batch; b0 += kTile) {
    xs[ty][tx] = b0 + ty < batch && i < d ? x[size_t(b0 + ty) * d + i] : 0.f;
    dys[ty][tx] = b0 + ty < batch && jload < m ? dy[size_t(b0 + ty) * m + jload] : 0.f;
    __syncthreads();
    const int n = batch - b0 < kTile ? batch - b0 : kTile;
    float acc[3] = {0.f, 0.f, 0.f};
    for (int r = 0; r < n; ++r) {
      float t[3];
      Aptx::param_terms_with(xs[r][tx], dys[r][ty], a1, b2, gamma, t);
      for (int p = 0; p < 3; ++p) acc[p] += t[p];
    }
    for (int p = 0; p < 3; ++p) sums[p] += double(acc[p]);
    __syncthreads();
  }
  if (!inside) return;
  if (g.dalpha) g.dalpha[k] = float(sums[0]);
  g.dbeta[k] = float(sums[1]);
  g.dgamma[k] = float(sums[2]);
}

// ddelta[j] = sum over b of dy[b, j], one thread per j, in order.
__global__ void aptx_delta_grad(AptxLayerShape s, const float* dy, float* ddelta) {
  const size_t j = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j >= s.outputs) return;
  double sum = 0.0;
  for (size_t b = 0; b < s.batch; ++b) sum += double(dy[b * s.outputs + j]);
  ddelta[j] = float(sum);
}

// dx[b, i]: thread (x: i, y: b), summing over the outputs j a tile at a time.
__global__ void aptx_input_grad(AptxLayerShape s, const float* x, const float* dy,
                                AptxLayerWeights w, float* dx, unsigned row_block0) {
  __shared__ float dys[kTile][kTile + 1];                                               // [b][j]
  __shared__ float a1s[kTile][kTile + 1], b2s[kTile][kTile + 1], gs[kTile][kTile + 1];  // [j][i]
  const int d = int(s.inputs), m = int(s.outputs), batch = int(s.batch);
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int i = blockIdx.x * kTile + tx, b = int(row_block0 + blockIdx.y) * kTile + ty;
  const float xv = b < batch && i < d ? x[size_t(b) * d + i] : 0.f;
  float acc = 0.f;
  for (int j0 = 0; j0 < m; j0 += kTile) {
    const bool win = j0 + ty < m && i < d;
    const size_t k = size_t(j0 + ty) * d + i;
    a1s[ty][tx] = win ? w.alpha[k] - 1.f : 0.f;
    b2s[ty][tx] = win ? 2.f * w.beta[k] : 0.f;
    gs[ty][tx] = win ? w.gamma[k] : 0.f;
    dys[ty][tx] = b < batch && j0 + tx < m ? dy[size_t(b) * m + j0 + tx] : 0.f;
    __syncthreads();
    const int n = m - j0 < kTile ? m - j0 : kTile;
    for (int c = 0; c < n; ++c)
      acc += Aptx::backward_with(xv, dys[ty][c], a1s[c][tx], b2s[c][tx], gs[c][tx]);
    __syncthreads();
  }
  if (b < batch && i < d) dx[size_t(b) * d + i] = acc;
}

}  // namespace

// A grid's y is at most 65535 blocks: rows beyond that go to further launches, each told the
// first row block it covers.
std::vector<LayerLaunch> aptx_layer_plan(const AptxLayerShape& s, bool backward) {
  std::vector<LayerLaunch> plan;
  auto tiles = [](size_t cols, size_t rows, LayerKernel k) {
    std::vector<LayerLaunch> out;
    const size_t bx = (cols + kTile - 1) / kTile, by = (rows + kTile - 1) / kTile;
    for (size_t y0 = 0; y0 < by; y0 += kMaxGridY) {
      const size_t y = by - y0 < kMaxGridY ? by - y0 : kMaxGridY;
      out.push_back({k, unsigned(bx), unsigned(y), unsigned(kTile * kTile), unsigned(y0)});
    }
    return out;
  };
  auto add = [&](std::vector<LayerLaunch> more) {
    plan.insert(plan.end(), more.begin(), more.end());
  };
  if (s.outputs == 0) return plan;
  if (!backward) {
    if (s.batch > 0) add(tiles(s.outputs, s.batch, LayerKernel::Forward));
    return plan;
  }
  if (s.inputs > 0) add(tiles(s.inputs, s.outputs, LayerKernel::ParamGrad));
  // ddelta depends on dy only: written for every output, 0 inputs or 0 batch included
  plan.push_back({LayerKernel::DeltaGrad, unsigned((s.outputs + 127) / 128), 1, 128, 0});
  if (s.batch > 0 && s.inputs > 0) add(tiles(s.inputs, s.batch, LayerKernel::InputGrad));
  return plan;
}

namespace {
dim3 block_of(const LayerLaunch& l) {
  return l.kernel == LayerKernel::DeltaGrad ? dim3(l.threads) : dim3(kTile, kTile);
}
}  // namespace

cudaError_t launch_aptx_layer_forward(const AptxLayerShape& s, const float* x,
                                      const AptxLayerWeights& w, float* y, cudaStream_t stream) {
  for (const LayerLaunch& l : aptx_layer_plan(s, false))
    aptx_forward<<<dim3(l.grid_x, l.grid_y), block_of(l), 0, stream>>>(s, x, w, y, l.row_block0);
  return cudaGetLastError();
}

cudaError_t launch_aptx_layer_backward(const AptxLayerShape& s, const float* x, const float* dy,
                                       const AptxLayerWeights& w, float* dx,
                                       const AptxLayerGrads& g, cudaStream_t stream) {
  for (const LayerLaunch& l : aptx_layer_plan(s, true)) {
    const dim3 grid(l.grid_x, l.grid_y);
    switch (l.kernel) {
      case LayerKernel::ParamGrad:
        aptx_param_grad<<<grid, block_of(l), 0, stream>>>(s, x, dy, w, g, l.row_block0);
        break;
      case LayerKernel::DeltaGrad:
        aptx_delta_grad<<<grid, block_of(l), 0, stream>>>(s, dy, g.ddelta);
        break;
      case LayerKernel::InputGrad:
        aptx_input_grad<<<grid, block_of(l), 0, stream>>>(s, x, dy, w, dx, l.row_block0);
        break;
      case LayerKernel::Forward: break;
    }
  }
  return cudaGetLastError();
}

}  // namespace gpu
}  // namespace ak
