#include "aptx_layer.h"

#include <string>

#include "../cpu/compute.h"
#include "../cpu/thread_pool.h"

namespace ak {

extern const AptxLayerKernels kScalarAptxLayer;
#if defined(__x86_64__) || defined(_M_X64)
extern const AptxLayerKernels kAvx2AptxLayer;
extern const AptxLayerKernels kAvx512AptxLayer;
#endif
#if defined(__aarch64__)
extern const AptxLayerKernels kNeonAptxLayer;
#endif

namespace {

// The same ISA as the elementwise kernels, so cpu.setIsa() and ACTIVATION_KERNELS_ISA apply.
const AptxLayerKernels& kernels() {
  const std::string isa = cpu_isa();
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == kAvx512AptxLayer.isa) return kAvx512AptxLayer;
  if (isa == kAvx2AptxLayer.isa) return kAvx2AptxLayer;
#endif
#if defined(__aarch64__)
  if (isa == kNeonAptxLayer.isa) return kNeonAptxLayer;
#endif
  return kScalarAptxLayer;
}

// Below this many terms (B d m) a call stays on the calling thread.
constexpr size_t kParallelTerms = size_t(1) << 16;

// Runs range(begin, end) over [0, n) in `parts` contiguous pieces, each a multiple of `step`.
template <class Range>
void split(const AptxLayerShape& s, size_t n, size_t step, int threads, const Range& range) {
  size_t units = (n + step - 1) / step;
  size_t parts = s.batch * s.inputs * s.outputs < kParallelTerms || threads <= 1 ? 1
                 : units < size_t(threads) * 4                                   ? units
                                               : size_t(threads) * 4;
  if (parts <= 1) return range(0, n);
  parallel_run(parts, threads, [&](size_t p) {
    size_t begin = units * p / parts * step, end = units * (p + 1) / parts * step;
    range(begin, end < n ? end : n);
  });
}

}  // namespace

void aptx_layer_forward(const AptxLayerShape& s, const float* x, const AptxLayerWeights& w,
                        float* y, int threads) {
  const AptxLayerKernels& k = kernels();
  split(s, s.outputs, 1, threads, [&](size_t j0, size_t j1) { k.forward(s, x, w, y, j0, j1); });
}

void aptx_layer_backward(const AptxLayerShape& s, const float* x, const float* dy,
                         const AptxLayerWeights& w, float* dx, const AptxLayerGrads& g,
                         int threads) {
  const AptxLayerKernels& k = kernels();
  split(s, s.outputs, 1, threads,
        [&](size_t j0, size_t j1) { k.param_grad(s, x, dy, w, g, j0, j1); });
  split(s, s.inputs, k.input_block, threads,
        [&](size_t i0, size_t i1) { k.input_grad(s, x, dy, w, dx, i0, i1); });
}

}  // namespace ak
