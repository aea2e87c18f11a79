#include "compute.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "../exact_half.h"
#include "../half_bound.h"
#include "kernels.h"
#include "thread_pool.h"

namespace ak {

namespace {

// Best first.
std::vector<const CpuKernels*> supported_kernels() {
  std::vector<const CpuKernels*> list;
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) list.push_back(&kAvx512Kernels);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    list.push_back(&kAvx2Kernels);
#endif
#if defined(__aarch64__)
  list.push_back(&kNeonKernels);
#endif
  list.push_back(&kScalarKernels);
  return list;
}

const CpuKernels* choose_kernels() {
  auto list = supported_kernels();
  if (const char* forced = std::getenv("ACTIVATION_KERNELS_ISA")) {
    for (auto* k : list)
      if (forced == std::string(k->isa)) return k;
  }
  return list.front();
}

std::atomic<const CpuKernels*> g_kernels{choose_kernels()};

const CpuKernels& kernels() { return *g_kernels.load(std::memory_order_relaxed); }

// Elementwise work is cut into blocks of kBlock; paramGrad sums each block on its own and adds
// the block sums in order, so its bits do not depend on how blocks are spread over threads.
constexpr size_t kBlock = size_t(1) << 14;
constexpr size_t kTile = 512;  // blends: both halves of a tile stay in L1

// stream: the whole call is past the caches (a blend's tiles never stream).
void forward_range(const Program& f, int node, const float* x, float* y, size_t n,
                   bool stream = false) {
  const Node& nd = f.nodes[size_t(node)];
  if (!nd.blend)
    return (stream ? kernels().forward_stream : kernels().forward)(nd.op, nd.params, x, y, n);
  alignas(64) float a[kTile];
  for (size_t i = 0; i < n; i += kTile) {
    size_t m = n - i < kTile ? n - i : kTile;
    forward_range(f, nd.a, x + i, a, m);
    forward_range(f, nd.b, x + i, y + i, m);  // y may be x: each tile reads x before writing
    kernels().blend(nd.t, a, y + i, m);
  }
}

void backward_range(const Program& f, int node, const float* x, const float* dy, float* out,
                    size_t n, bool stream = false) {
  const Node& nd = f.nodes[size_t(node)];
  if (!nd.blend)
    return (stream ? kernels().backward_stream : kernels().backward)(nd.op, nd.params, x, dy, out,
                                                                     n);
  alignas(64) float a[kTile];
  for (size_t i = 0; i < n; i += kTile) {
    size_t m = n - i < kTile ? n - i : kTile;
    backward_range(f, nd.a, x + i, dy + i, a, m);
    backward_range(f, nd.b, x + i, dy + i, out + i, m);
    kernels().blend(nd.t, a, out + i, m);
  }
}

// ACTIVATION_KERNELS_PARALLEL_THRESHOLD overrides both thresholds, for
// scripts/measure/measure-threshold.js only.
size_t parallel_threshold(const Program& f) {
  static const char* forced = std::getenv("ACTIVATION_KERNELS_PARALLEL_THRESHOLD");
  static const size_t forced_value = forced ? size_t(std::strtoull(forced, nullptr, 10)) : 0;
  return forced ? forced_value : f.cheap ? kParallelThresholdCheap : kParallelThreshold;
}

// range(begin, end) over [0, n), on up to `threads` threads: about 8 chunks a thread (whole
// blocks), taken in turn, so a helper that wakes late takes fewer.
template <class Range>
void split(const Program& f, size_t n, int threads, const Range& range) {
  if (n < parallel_threshold(f) || threads <= 1) return range(0, n);
  size_t blocks = (n + kBlock - 1) / kBlock;
  size_t per_task = blocks / (size_t(threads) * 8);
  if (per_task == 0) per_task = 1;
  size_t chunk = per_task * kBlock, tasks = (n + chunk - 1) / chunk;
  parallel_run(tasks, threads, [&](size_t t) {
    size_t begin = t * chunk, end = begin + chunk;
    range(begin, end < n ? end : n);
  });
}

// ---- Half precision (docs/design.md, Half precision) ---------------------------------------
// A tile at a time, in L1: widen x (and dy), run the float32 program, narrow, and settle the
// lanes whose rounding the accuracy bound leaves open (cpp/exact_half.h).
constexpr size_t kHalfTile = 1024;

// The float32 result of node over a tile (y) and, for a blend, how far it may be from the exact
// value (e): blend_bound and blend_rounding (cpp/half_bound.h). A node that is not a blend leaves
// e to narrow_checked.
void half_tile(const Program& f, int node, bool gradient, const float* x, const float* dy, float* y,
               float* e, size_t m) {
  const Node& nd = f.nodes[size_t(node)];
  if (!nd.blend) {
    if (gradient)
      kernels().backward(nd.op, nd.params, x, dy, y, m);
    else
      kernels().forward(nd.op, nd.params, x, y, m);
    return;
  }
  alignas(64) float a[kHalfTile], ea[kHalfTile];
  auto side = [&](int s, float* v, float* ev) {
    half_tile(f, s, gradient, x, dy, v, ev, m);
    const Node& sn = f.nodes[size_t(s)];
    if (sn.blend) return;
    kernels().lane_bounds(half_bound(sn, gradient), x, dy, v, ev, m);
  };
  side(nd.a, a, ea);
  side(nd.b, y, e);
  const float t = nd.t;
  for (size_t i = 0; i < m; ++i) e[i] = blend_bound(t, a[i], ea[i], y[i], e[i]);
  kernels().blend(t, a, y, m);
  for (size_t i = 0; i < m; ++i) e[i] += blend_rounding(t, y[i]);
}

// One range of a half pass: dy null for forward.
void half_range(const Program& f, Half h, const uint16_t* x, const uint16_t* dy, uint16_t* out,
                size_t n, bool stream) {
  alignas(64) float xf[kHalfTile], dyf[kHalfTile], r[kHalfTile], e[kHalfTile];
  uint32_t unsure[kHalfTile];
  const bool gradient = dy != nullptr;
  const Node& root = f.nodes[0];
  if (!root.blend && kernels().exact_half_pass(root.op, root.params, h, x, dy, out, n, stream))
    return;
  const HalfBound bound =
      root.blend ? HalfBound{0, 0, 0, false, 0, {0, 0}} : half_bound(root, gradient);
  std::unique_ptr<ExactProgram> exact;  // made at the first lane to settle
  for (size_t i = 0; i < n; i += kHalfTile) {
    size_t m = n - i < kHalfTile ? n - i : kHalfTile;
    kernels().widen(h, x + i, xf, m);
    if (gradient) kernels().widen(h, dy + i, dyf, m);
    half_tile(f, 0, gradient, xf, gradient ? dyf : nullptr, r, e, m);
    size_t k = kernels().narrow_checked(h, xf, r, gradient ? dyf : nullptr,
                                        root.blend ? e : nullptr, bound, out + i, m, unsure);
    if (k && !exact) exact = std::make_unique<ExactProgram>(exact_program(f));
    for (size_t j = 0; j < k; ++j) {
      uint32_t l = unsure[j];
      out[i + l] = exact::half(*exact, h, xf[l], gradient, gradient ? dyf[l] : 0.f);
    }
  }
}

// paramGrad: block(root, i, m, sums) adds block [i, i + m)'s sums into sums; each block has its own
// sums, added in order at the end, so that the bits do not depend on the threads.
template <class Block>
void param_grad_by_blocks(const Program& f, size_t n, int threads, double* sums,
                          const Block& block) {
  const int k = f.param_grads;
  for (int i = 0; i < k; ++i) sums[i] = 0;
  if (k == 0 || n == 0) return;
  const Node& root = f.nodes[0];
  size_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> partial(blocks * size_t(k), 0.0);
  split(f, n, threads, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; i += kBlock)
      block(root, i, e - i < kBlock ? e - i : kBlock, &partial[i / kBlock * size_t(k)]);
  });
  for (size_t blk = 0; blk < blocks; ++blk)
    for (int i = 0; i < k; ++i) sums[i] += partial[blk * size_t(k) + size_t(i)];
}

}  // namespace

const char* cpu_isa() { return kernels().isa; }

std::vector<std::string> cpu_supported_isas() {
  std::vector<std::string> names;
  for (auto* k : supported_kernels()) names.push_back(k->isa);
  return names;
}

bool set_cpu_isa(const std::string& name) {
  for (auto* k : supported_kernels())
    if (name == k->isa) {
      g_kernels.store(k);
      return true;
    }
  return false;
}

void cpu_forward(const Program& f, const float* x, float* y, size_t n, int threads) {
  bool stream = n >= kStreamThreshold;
  split(f, n, threads,
        [&](size_t b, size_t e) { forward_range(f, 0, x + b, y + b, e - b, stream); });
}

void cpu_backward(const Program& f, const float* x, const float* dy, float* out, size_t n,
                  int threads) {
  bool stream = n >= kStreamThreshold;
  split(f, n, threads,
        [&](size_t b, size_t e) { backward_range(f, 0, x + b, dy + b, out + b, e - b, stream); });
}

void cpu_forward_half(const Program& f, Half h, const uint16_t* x, uint16_t* y, size_t n,
                      int threads) {
  bool stream = n >= kStreamThreshold;
  split(f, n, threads,
        [&](size_t b, size_t e) { half_range(f, h, x + b, nullptr, y + b, e - b, stream); });
}

void cpu_backward_half(const Program& f, Half h, const uint16_t* x, const uint16_t* dy,
                       uint16_t* out, size_t n, int threads) {
  bool stream = n >= kStreamThreshold;
  split(f, n, threads,
        [&](size_t b, size_t e) { half_range(f, h, x + b, dy + b, out + b, e - b, stream); });
}

// Each block widened whole, then summed as cpu_param_grad sums it: the sums of the float32
// values of x and dy, bit for bit.
void cpu_param_grad_half(const Program& f, Half h, const uint16_t* x, const uint16_t* dy, size_t n,
                         int threads, double* sums) {
  param_grad_by_blocks(f, n, threads, sums, [&](const Node& root, size_t i, size_t m, double* s) {
    std::vector<float> xf(m), dyf(m);
    kernels().widen(h, x + i, xf.data(), m);
    kernels().widen(h, dy + i, dyf.data(), m);
    kernels().param_grad(root.op, root.params, xf.data(), dyf.data(), m, s);
  });
}

void halves_from_floats(Half h, const float* src, uint16_t* dst, size_t n) {
  kernels().narrow(h, src, dst, n);
}

void floats_from_halves(Half h, const uint16_t* src, float* dst, size_t n) {
  kernels().widen(h, src, dst, n);
}

void cpu_param_grad(const Program& f, const float* x, const float* dy, size_t n, int threads,
                    double* sums) {
  param_grad_by_blocks(f, n, threads, sums, [&](const Node& root, size_t i, size_t m, double* s) {
    kernels().param_grad(root.op, root.params, x + i, dy + i, m, s);
  });
}

}  // namespace ak
