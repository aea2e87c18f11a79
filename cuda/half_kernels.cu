// The half-precision kernels (docs/design.md, Half precision): eight bfloat16 or float16 elements
// a 16-byte load, widened exactly, the float32 formulas of device_ops.cuh, and each result
// narrowed where the bound of cpp/half_bound.h decides its rounding. The lanes it leaves open are
// marked, one bit an element, and a second kernel settles them from the double references
// (cpp/exact_half.h), as the CPU settles them, so that a device gives the CPU's bits. The settling
// is a kernel of its own because ptxas copies an out-of-line function into every kernel that
// calls it: called from each op's kernel, the double references made the device code four times
// larger.
#include <vector>

#include "device_ops.cuh"
#include "half_io.cuh"

namespace ak {
namespace gpu {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxBlocks = 4096;

// r within e of the exact value (a zero r exact where zero_exact): where both ends of
// [r - e, r + e] round to one value, so does the exact one (rounding is monotonic), and that is
// `out`; false where they differ, and for a NaN r: the lane is open. The lane form of narrow_step
// in cpp/cpu/kernels.h.
AK_HD bool rounded(Half h, float r, float e, bool zero_exact, uint16_t& out) {
  if (r != r) return false;
  const bool exact_zero = zero_exact && r == 0.f;
  out = narrow(h, exact_zero ? r : r - e);
  return exact_zero || out == narrow(h, r + e);
}

// Marks element i open in the bit mask.
AK_HD void mark_open(uint32_t* open, size_t i) {
#ifdef __CUDA_ARCH__
  atomicOr(open + i / 32, 1u << (i % 32));
#else
  open[i / 32] |= 1u << (i % 32);
#endif
}

// One activation: the op's own formula, the bound of a.bound[0].
template <template <class> class Pass, class A>
struct OpBounded {
  Params p;
  AK_HD float operator()(const HalfBounds& a, float x, float dy, bool gradient, float& e,
                         bool& zero_exact) const {
    const float r = Pass<A>::at(x, dy, p);
    e = lane_bound<float>(a.bound[0], x, r, gradient ? &dy : nullptr, 0);
    zero_exact = a.bound[0].zero_exact;
    return r;
  }
};

// A blend tree, each value carried with its bound as the CPU's half passes carry it
// (blend_bound, cpp/half_bound.h).
template <template <class> class Pass>
struct ProgramBounded {
  Steps f;
  AK_HD float operator()(const HalfBounds& a, float x, float dy, bool gradient, float& e,
                         bool& zero_exact) const {
    zero_exact = false;
    float v[kMaxStack], b[kMaxStack];
#ifndef __CUDA_ARCH__
    v[0] = b[0] = 0.f;  // for g++, which cannot see that a program pushes before it returns
#endif
    int top = 0;
    for (int i = 0; i < f.count; ++i) {
      const Step& in = f.code[i];
      if (in.op != kBlendStep) {
        const float r = eval_op<Pass>(in.op, x, dy, in.p);
        const HalfBound& hb = a.bound[i];
        v[top] = r;
        b[top++] = hb.zero_exact && r == 0.f
                       ? 0.f
                       : lane_bound<float>(hb, x, r, gradient ? &dy : nullptr, 0);
        continue;
      }
      --top;
      const float t = in.t, y = blend_step(t, v[top - 1], v[top]);
      b[top - 1] = blend_bound(t, v[top - 1], b[top - 1], v[top], b[top]) + blend_rounding(t, y);
      v[top - 1] = y;
    }
    e = b[0];
    return v[0];
  }
};

// The loop: eight elements a thread per iteration, from one 16-byte load of x (and of dy) where
// the group is whole and aligned. The group before out's first 16-byte boundary (the head), the
// one after its last (the tail), and every group of inputs at another alignment than out (views
// at other offsets) are read and written element by element. The eight are computed one at a
// time, in a loop: the formula is in the code once, not eight times, for each op and pass, and
// the format is chosen at run time, which keeps the device code (and the package) small.
struct HalfSpan {
  size_t head, groups, n;
  bool vector;
};

HalfSpan half_span(size_t n, const void* out, const void* x, const void* dy) {
  const uintptr_t mo = uintptr_t(out) & 15;
  const bool vector = (uintptr_t(x) & 15) == mo && (!dy || (uintptr_t(dy) & 15) == mo);
  if (!vector) return {0, 0, n, false};
  size_t head = ((16 - mo) & 15) / 2;
  if (head > n) head = n;
  return {head, (n - head) / 8, n, true};
}

// What an open lane's out holds until it is settled: the input out is (in place), so that the
// settling still reads it.
enum class Keep : int { None, X, Dy };

template <class Fn>
struct HalfMap {
  Fn fn;
  HalfBounds a;
  Half h;
  const uint16_t* x;
  const uint16_t* dy;  // null: forward
  uint16_t* out;
  uint32_t* open;  // one bit an element, set where the lane is left to the settling
  Keep keep;

  // One element: its bits in, its bits out; false where it is open.
  AK_HD bool one(uint16_t xu, uint16_t du, uint16_t& o) const {
    const bool gradient = dy != nullptr;
    const float xf = widen(h, xu), df = widen(h, du);
    float e;
    bool zero_exact;
    const float r = fn(a, xf, df, gradient, e, zero_exact);
    if (rounded(h, r, e, zero_exact, o)) return true;
    o = keep == Keep::Dy ? du : xu;
    return false;
  }

  // Elements [i, i + count), count <= 8; whole: eight of them at 16-byte aligned addresses.
  AK_HD void group(size_t i, size_t count, bool whole) const {
    uint32_t xw[4] = {}, dw[4] = {}, ow[4];  // two elements a word, the first in the low half
    if (whole) {
      words(x + i, xw);
      if (dy) words(dy + i, dw);
    } else {
      for (size_t k = 0; k < count; ++k) {
        xw[k / 2] |= uint32_t(x[i + k]) << (16 * (k % 2));
        if (dy) dw[k / 2] |= uint32_t(dy[i + k]) << (16 * (k % 2));
      }
    }
    for (size_t j = 0; j < 4; ++j) ow[j] = 0;
#ifdef __CUDA_ARCH__
#pragma unroll 1
#endif
    for (size_t k = 0; k < count; ++k) {
      const int shift = 16 * int(k % 2);
      uint16_t o;
      if (!one(uint16_t(xw[k / 2] >> shift), uint16_t(dw[k / 2] >> shift), o))
        mark_open(open, i + k);
      ow[k / 2] |= uint32_t(o) << shift;
    }
    if (whole) {
      *reinterpret_cast<uint4*>(out + i) = make_uint4(ow[0], ow[1], ow[2], ow[3]);
    } else {
      for (size_t k = 0; k < count; ++k) out[i + k] = uint16_t(ow[k / 2] >> (16 * (k % 2)));
    }
  }
  AK_HD static void words(const uint16_t* p, uint32_t (&w)[4]) {
    const uint4 v = *reinterpret_cast<const uint4*>(p);
    w[0] = v.x;
    w[1] = v.y;
    w[2] = v.z;
    w[3] = v.w;
  }
};

template <class Map>
AK_HD void half_thread(const Map& map, const HalfSpan& s, size_t tid, size_t stride) {
  if (!s.vector) {
    for (size_t i = 8 * tid; i < s.n; i += 8 * stride)
      map.group(i, s.n - i < 8 ? s.n - i : 8, false);
    return;
  }
  const size_t tail = s.head + 8 * s.groups;
  if (tid == 0 && s.head) map.group(0, s.head, false);
  if (tid == stride - 1 && tail < s.n) map.group(tail, s.n - tail, false);
  for (size_t g = tid; g < s.groups; g += stride) map.group(s.head + 8 * g, 8, true);
}

template <class Map>
__global__ void __launch_bounds__(kThreads) half_elementwise(Map map, HalfSpan s) {
  half_thread(map, s, size_t(blockIdx.x) * blockDim.x + threadIdx.x,
              size_t(gridDim.x) * blockDim.x);
}

// The second pass: every open lane's exact value rounded once.
struct Settle {
  ExactProgram exact;
  Half h;
  const uint16_t* x;
  const uint16_t* dy;  // null: forward
  uint16_t* out;
  const uint32_t* open;
  size_t words;
  AK_HD void word(size_t w) const {
    for (uint32_t m = open[w]; m; m &= m - 1) {
      const size_t i = 32 * w + size_t(lowest_bit(m));
      const float df = dy ? widen(h, dy[i]) : 0.f;
      out[i] = exact::half(exact, h, widen(h, x[i]), dy != nullptr, df);
    }
  }
  AK_HD static int lowest_bit(uint32_t m) {
#ifdef __CUDA_ARCH__
    return __ffs(int(m)) - 1;
#else
    return __builtin_ctz(m);
#endif
  }
};

__global__ void __launch_bounds__(kThreads) settle_open(const __grid_constant__ Settle s) {
  for (size_t w = size_t(blockIdx.x) * blockDim.x + threadIdx.x; w < s.words;
       w += size_t(gridDim.x) * blockDim.x)
    s.word(w);
}

// The passes as types, for with_half_map.
struct Forward {
  template <class A>
  using Of = ForwardOf<A>;
};
struct Backward {
  template <class A>
  using Of = BackwardOf<A>;
};

// Calls run(map) with the map of program f over format h and pass.
template <class Run>
cudaError_t with_half_map(const Steps& f, const HalfArgs& a, Half h, bool backward,
                          const uint16_t* x, const uint16_t* dy, uint16_t* out, uint32_t* open,
                          const Run& run) {
  const Keep keep = out == x ? Keep::X : dy && out == dy ? Keep::Dy : Keep::None;
  auto by_program = [&](auto pass) -> cudaError_t {
    using P = decltype(pass);
    if (f.count != 1) {
      using Fn = ProgramBounded<P::template Of>;
      return run(HalfMap<Fn>{Fn{f}, a.bounds, h, x, dy, out, open, keep});
    }
    const Params& p = f.code[0].p;
    return with_activation<true>(Op(f.code[0].op), p, cudaErrorInvalidValue, [&](auto tag) {
      using Fn = OpBounded<P::template Of, typename decltype(tag)::type>;
      return run(HalfMap<Fn>{Fn{p}, a.bounds, h, x, dy, out, open, keep});
    });
  };
  return backward ? by_program(Backward{}) : by_program(Forward{});
}

unsigned half_blocks(const HalfSpan& s) {
  const size_t work = s.vector ? s.groups : (s.n + 7) / 8;
  size_t b = (work + kThreads - 1) / kThreads;
  return unsigned(b < 1 ? 1 : b > kMaxBlocks ? kMaxBlocks : b);
}

// x[i] = the float32 fill's values (cuda/kernels.cu) rounded to the format.
template <Half F>
__global__ void fill_half(uint16_t* x, size_t n) {
  for (size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += size_t(gridDim.x) * blockDim.x)
    x[i] = narrow<F>(fill_value(i));
}

}  // namespace

cudaError_t launch_fill_half(uint16_t* x, size_t n, Half h, cudaStream_t s) {
  if (n == 0) return cudaSuccess;
  const unsigned blocks = unsigned(
      (n + kThreads - 1) / kThreads < kMaxBlocks ? (n + kThreads - 1) / kThreads : kMaxBlocks);
  if (h == Half::Bf16)
    fill_half<Half::Bf16><<<blocks, kThreads, 0, s>>>(x, n);
  else
    fill_half<Half::F16><<<blocks, kThreads, 0, s>>>(x, n);
  return cudaGetLastError();
}

HalfArgs half_args_of(const Program& f, bool gradient) {
  HalfArgs a{};
  int i = 0;  // the steps' post-order (cpp/program.cpp emit_steps)
  auto walk = [&](auto&& self, int node) -> void {
    const Node& nd = f.nodes[size_t(node)];
    if (nd.blend) {
      self(self, nd.a);
      self(self, nd.b);
    } else {
      a.bounds.bound[i] = half_bound(nd, gradient);
    }
    ++i;
  };
  walk(walk, 0);
  a.exact = exact_program(f);
  return a;
}

cudaError_t launch_half(const Steps& f, const HalfArgs& a, Half h, bool backward, const uint16_t* x,
                        const uint16_t* dy, uint16_t* out, size_t n, cudaStream_t s) {
  if (n == 0) return cudaSuccess;
  const HalfSpan span = half_span(n, out, x, dy);
  const size_t words = (n + 31) / 32;
  uint32_t* open = nullptr;
  bool pooled = true;
  cudaError_t e = cudaMallocAsync(reinterpret_cast<void**>(&open), words * 4, s);
  if (e == cudaErrorNotSupported) {  // a device or driver without memory pools
    cudaGetLastError();
    pooled = false;
    e = cudaMalloc(reinterpret_cast<void**>(&open), words * 4);
  }
  if (e != cudaSuccess) return e;
  e = cudaMemsetAsync(open, 0, words * 4, s);
  if (e == cudaSuccess)
    e = with_half_map(f, a, h, backward, x, dy, out, open, [&](const auto& map) {
      half_elementwise<<<half_blocks(span), kThreads, 0, s>>>(map, span);
      return cudaGetLastError();
    });
  if (e == cudaSuccess) {
    const size_t blocks = (words + kThreads - 1) / kThreads;
    settle_open<<<unsigned(blocks < kMaxBlocks ? blocks : kMaxBlocks), kThreads, 0, s>>>(
        Settle{a.exact, h, x, backward ? dy : nullptr, out, open, words});
    e = cudaGetLastError();
  }
  const cudaError_t freed = pooled ? cudaFreeAsync(open, s) : cudaFree(open);
  return e == cudaSuccess ? freed : e;
}

void half_on_host(const Steps& f, const HalfArgs& a, Half h, bool backward, const uint16_t* x,
                  const uint16_t* dy, uint16_t* out, size_t n) {
  const HalfSpan span = half_span(n, out, x, dy);
  const size_t stride = 3 * size_t(kThreads);  // a grid of 3 blocks: every thread's share
  std::vector<uint32_t> open((n + 31) / 32, 0);
  with_half_map(f, a, h, backward, x, dy, out, open.data(), [&](const auto& map) {
    for (size_t tid = 0; tid < stride; ++tid) half_thread(map, span, tid, stride);
    return cudaSuccess;
  });
  const Settle settle{a.exact, h, x, backward ? dy : nullptr, out, open.data(), open.size()};
  for (size_t w = 0; w < open.size(); ++w) settle.word(w);
}

}  // namespace gpu
}  // namespace ak
