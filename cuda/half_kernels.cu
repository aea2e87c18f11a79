// The half-precision kernels (docs/design.md, Half precision): eight bfloat16 or float16 elements
// a 16-byte load, widened exactly, the float32 formulas of device_ops.cuh, and each result
// narrowed where the bound of cpp/half_bound.h decides its rounding; a lane it leaves open is
// settled in the same thread from the double references (cpp/exact_half.h), as the CPU settles it,
// so that a device gives the CPU's bits.
#include "device_ops.cuh"
#include "half_io.cuh"

namespace ak {
namespace gpu {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxBlocks = 4096;

// The exact value rounded once: out of line, as the lanes that need it are few.
__host__ __device__ __noinline__ uint16_t settle(const ExactProgram& f, Half h, float x,
                                                 bool gradient, float dy) {
  return exact::half(f, h, x, gradient, dy);
}

// r within e of the exact value (a zero r exact where zero_exact): where both ends of
// [r - e, r + e] round to one value, so does the exact one (rounding is monotonic); else, and for
// a NaN r, the lane is settled. The lane form of narrow_step in cpp/cpu/kernels.h.
template <Half F>
AK_HD uint16_t rounded(float r, float e, bool zero_exact, const ExactProgram& exact, float x,
                       bool gradient, float dy) {
  if (r == r) {
    const bool exact_zero = zero_exact && r == 0.f;
    const uint16_t lo = narrow<F>(exact_zero ? r : r - e);
    if (exact_zero || lo == narrow<F>(r + e)) return lo;
  }
  return settle(exact, F, x, gradient, dy);
}

// One activation: the op's own formula, the bound of a.bound[0]; eight elements at once.
template <template <class> class Pass, class A>
struct OpBounded {
  Params p;
  AK_HD void operator()(const HalfArgs& a, const float (&x)[8], const float (&dy)[8], bool gradient,
                        float (&r)[8], float (&e)[8], bool& zero_exact) const {
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int k = 0; k < 8; ++k) r[k] = Pass<A>::at(x[k], dy[k], p);
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int k = 0; k < 8; ++k)
      e[k] = lane_bound<float>(a.bound[0], x[k], r[k], gradient ? &dy[k] : nullptr, 0);
    zero_exact = a.bound[0].zero_exact;
  }
};

// A blend tree, each value carried with its bound as the CPU's half passes carry it
// (blend_bound, cpp/half_bound.h).
template <template <class> class Pass>
struct ProgramBounded {
  Steps f;
  AK_HD float one(const HalfArgs& a, float x, float dy, bool gradient, float& e) const {
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
  // element by element, not unrolled: eight copies of the interpreter would cost more code than
  // nested blends are worth
  AK_HD void operator()(const HalfArgs& a, const float (&x)[8], const float (&dy)[8], bool gradient,
                        float (&r)[8], float (&e)[8], bool& zero_exact) const {
#ifdef __CUDA_ARCH__
#pragma unroll 1
#endif
    for (int k = 0; k < 8; ++k) r[k] = one(a, x[k], dy[k], gradient, e[k]);
    zero_exact = false;
  }
};

// The loop: eight elements a thread per iteration, from one 16-byte load of x (and of dy) where
// the group is whole and aligned. The group before out's first 16-byte boundary (the head), the
// one after its last (the tail), and every group of inputs at another alignment than out (views
// at other offsets) are read and written element by element.
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

template <Half F, class Fn>
struct HalfMap {
  Fn fn;
  HalfArgs a;
  const uint16_t* x;
  const uint16_t* dy;  // null: forward
  uint16_t* out;

  // Elements [i, i + count), count <= 8; whole: eight of them at 16-byte aligned addresses.
  AK_HD void group(size_t i, size_t count, bool whole) const {
    uint16_t xs[8] = {}, ds[8] = {}, h[8];
    if (whole) {
      load8(x + i, xs);
      if (dy) load8(dy + i, ds);
    } else {
      for (size_t k = 0; k < count; ++k) {
        xs[k] = x[i + k];
        if (dy) ds[k] = dy[i + k];
      }
    }
    float xf[8], df[8], r[8], e[8];
    bool zero_exact;
    for (int k = 0; k < 8; ++k) {
      xf[k] = widen<F>(xs[k]);
      df[k] = widen<F>(ds[k]);
    }
    const bool gradient = dy != nullptr;
    fn(a, xf, df, gradient, r, e, zero_exact);
    for (int k = 0; k < 8; ++k)  // lanes past count hold zeros: nothing to settle there
      h[k] = size_t(k) < count ? rounded<F>(r[k], e[k], zero_exact, a.exact, xf[k], gradient, df[k])
                               : 0;
    if (whole) {
      store8(out + i, h);
    } else {
      for (size_t k = 0; k < count; ++k) out[i + k] = h[k];
    }
  }
  AK_HD static void load8(const uint16_t* p, uint16_t (&v)[8]) {
    const uint4 w = *reinterpret_cast<const uint4*>(p);
    const uint32_t words[4] = {w.x, w.y, w.z, w.w};
    for (int k = 0; k < 4; ++k) {
      v[2 * k] = uint16_t(words[k]);
      v[2 * k + 1] = uint16_t(words[k] >> 16);
    }
  }
  AK_HD static void store8(uint16_t* p, const uint16_t (&v)[8]) {
    uint32_t w[4];
    for (int k = 0; k < 4; ++k) w[k] = uint32_t(v[2 * k]) | uint32_t(v[2 * k + 1]) << 16;
    *reinterpret_cast<uint4*>(p) = make_uint4(w[0], w[1], w[2], w[3]);
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
                          const uint16_t* x, const uint16_t* dy, uint16_t* out, const Run& run) {
  auto by_format = [&](auto fn) {
    using Fn = decltype(fn);
    if (h == Half::Bf16) return run(HalfMap<Half::Bf16, Fn>{fn, a, x, dy, out});
    return run(HalfMap<Half::F16, Fn>{fn, a, x, dy, out});
  };
  auto by_program = [&](auto pass) -> cudaError_t {
    using P = decltype(pass);
    if (f.count != 1) return by_format(ProgramBounded<P::template Of>{f});
    const Params& p = f.code[0].p;
    return with_activation<true>(Op(f.code[0].op), p, cudaErrorInvalidValue, [&](auto tag) {
      return by_format(OpBounded<P::template Of, typename decltype(tag)::type>{p});
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
      a.bound[i] = half_bound(nd, gradient);
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
  return with_half_map(f, a, h, backward, x, dy, out, [&](const auto& map) {
    half_elementwise<<<half_blocks(span), kThreads, 0, s>>>(map, span);
    return cudaGetLastError();
  });
}

void half_on_host(const Steps& f, const HalfArgs& a, Half h, bool backward, const uint16_t* x,
                  const uint16_t* dy, uint16_t* out, size_t n) {
  const HalfSpan span = half_span(n, out, x, dy);
  const size_t stride = 3 * size_t(kThreads);  // a grid of 3 blocks: every thread's share
  with_half_map(f, a, h, backward, x, dy, out, [&](const auto& map) {
    for (size_t tid = 0; tid < stride; ++tid) half_thread(map, span, tid, stride);
    return cudaSuccess;
  });
}

}  // namespace gpu
}  // namespace ak
