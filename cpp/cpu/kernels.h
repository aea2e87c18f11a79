// The CPU loops, written once over a vector type V and instantiated per ISA by the
// isa_*.cpp files (each compiled with its own flags). Full vectors first, then the scalar
// tail through the same formulas, so any length and any alignment works.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../dispatch.h"
#include "../half.h"
#include "../half_bound.h"
#include "../simd/half_ops.h"

namespace ak {

// One ISA's entry points; `op` is never Op::Count.
struct CpuKernels {
  const char* isa;
  void (*forward)(Op op, const Params& p, const float* x, float* y, size_t n);
  void (*backward)(Op op, const Params& p, const float* x, const float* dy, float* out, size_t n);
  // Adds the sums of the parameter-gradient terms over [0, n) into sums[0..count).
  void (*param_grad)(Op op, const Params& p, const float* x, const float* dy, size_t n,
                     double* sums);
  // y = (1 - t) a + t y
  void (*blend)(float t, const float* a, float* y, size_t n);
  // forward and backward with streaming stores: for outputs past the last-level cache
  // (compute.cpp decides from the length of the whole call)
  void (*forward_stream)(Op op, const Params& p, const float* x, float* y, size_t n);
  void (*backward_stream)(Op op, const Params& p, const float* x, const float* dy, float* out,
                          size_t n);
  // Half precision (cpp/half.h): exact widening; narrowing rounded to nearest even.
  void (*widen)(Half h, const uint16_t* src, float* dst, size_t n);
  void (*narrow)(Half h, const float* src, uint16_t* dst, size_t n);
  // out = r narrowed; the bound is e[i] where e is given, else from r (and dy where given), as
  // HalfBound says. Writes the indices whose rounding the bound leaves open into unsure and
  // returns how many. Plain stores: the caller rewrites the open lanes at once, and streaming
  // stores a tile at a time measured slower past the caches than these.
  size_t (*narrow_checked)(Half h, const float* x, const float* r, const float* dy, const float* e,
                           const HalfBound& b, uint16_t* out, size_t n, uint32_t* unsure);
  // e[i] = the bound of r[i] at x[i] (and dy[i]), as HalfBound says.
  void (*lane_bounds)(const HalfBound& b, const float* x, const float* dy, const float* r, float* e,
                      size_t n);
  // An exact op (relu, relu6) on half data in one pass; false for any other op.
  bool (*exact_half_pass)(Op op, const Params& p, Half h, const uint16_t* x, const uint16_t* dy,
                          uint16_t* out, size_t n, bool stream);
};

// The tables, one per ISA translation unit (cpp/cpu/isa_*.cpp); use only those this processor
// supports (compute.cpp's dispatch checks).
extern const CpuKernels kScalarKernels;
#if defined(__x86_64__) || defined(_M_X64)
extern const CpuKernels kAvx2Kernels;
extern const CpuKernels kAvx512Kernels;
#endif
#if defined(__aarch64__)
extern const CpuKernels kNeonKernels;
#endif

inline namespace AK_ISA_NS {
namespace cpu_loops {

// Four vectors in flight from i while they fit; returns where it stopped.
template <class V, class Vec, class Store>
AK_HD size_t four_at_a_time(float* y, size_t i, size_t n, const Vec& vec, const Store& st) {
  constexpr size_t W = Lanes<V>::count;
  for (; i + 4 * W <= n; i += 4 * W) {
    V a = vec(i), b = vec(i + W), c = vec(i + 2 * W), d = vec(i + 3 * W);
    st(y + i, a);
    st(y + i + W, b);
    st(y + i + 2 * W, c);
    st(y + i + 3 * W, d);
  }
  return i;
}

// y[i] = one(i) for i in [0, n): vec(i) gives the W results from i on. Four vectors in flight
// (the exp-based formulas are latency chains; the memory-bound ones want few loop branches).
// kStream: streaming stores (y aligned first), which skip reading each output line before
// writing it.
template <class V, bool kStream, class Vec, class One>
AK_HD void elementwise(float* y, size_t n, const Vec& vec, const One& one) {
  constexpr size_t W = Lanes<V>::count;
  size_t i = 0;
  if (W > 1 && kStream) {
    size_t head = ((64 - (reinterpret_cast<uintptr_t>(y) & 63)) & 63) / sizeof(float);
    if (reinterpret_cast<uintptr_t>(y) % sizeof(float)) head = n;  // never for a Float32Array
    for (; i < head && i < n; ++i) y[i] = one(i);
    i = four_at_a_time<V>(y, i, n, vec, [](float* p, V v) { store_stream(p, v); });
    stream_fence();
  }
  i = four_at_a_time<V>(y, i, n, vec, [](float* p, V v) { store(p, v); });
  for (; i + W <= n; i += W) store(y + i, vec(i));
  for (; i < n; ++i) y[i] = one(i);
}

template <class V, class A, bool kStream = false>
void forward(const Params& p, const float* x, float* y, size_t n) {
  elementwise<V, kStream>(
      y, n, [&](size_t i) { return A::template forward<V>(load<V>(x + i), p); },
      [&](size_t i) { return A::template forward<float>(x[i], p); });
}

template <class V, class A, bool kStream = false>
void backward(const Params& p, const float* x, const float* dy, float* out, size_t n) {
  elementwise<V, kStream>(
      out, n, [&](size_t i) { return A::template backward<V>(load<V>(x + i), load<V>(dy + i), p); },
      [&](size_t i) { return A::template backward<float>(x[i], dy[i], p); });
}

// Terms are computed a tile at a time in float, then summed in double in a fixed order
// (8 running sums, combined pairwise): the same bits for the same [x, dy, n].
template <class V, class A, int K>
void param_grad(const Params& p, const float* x, const float* dy, size_t n, double* sums) {
  constexpr size_t W = Lanes<V>::count, kTile = 256;
  alignas(64) float terms[K][kTile];
  double acc[K][8] = {};
  for (size_t base = 0; base < n; base += kTile) {
    size_t m = n - base < kTile ? n - base : kTile;
    size_t i = 0;
    for (; i + W <= m; i += W) {
      V t[K];
      A::template param_terms<V>(load<V>(x + base + i), load<V>(dy + base + i), p, t);
      for (int k = 0; k < K; ++k) store(terms[k] + i, t[k]);
    }
    for (; i < m; ++i) {
      float t[K];
      A::template param_terms<float>(x[base + i], dy[base + i], p, t);
      for (int k = 0; k < K; ++k) terms[k][i] = t[k];
    }
    for (int k = 0; k < K; ++k)
      for (i = 0; i < m; ++i) acc[k][i % 8] += double(terms[k][i]);
  }
  for (int k = 0; k < K; ++k)
    sums[k] += ((acc[k][0] + acc[k][1]) + (acc[k][2] + acc[k][3])) +
               ((acc[k][4] + acc[k][5]) + (acc[k][6] + acc[k][7]));
}

// t = 0 and t = 1 take one side as it is: 0 * Inf must not make a NaN.
template <class V>
void blend(float t, const float* a, float* y, size_t n) {
  constexpr size_t W = Lanes<V>::count;
  if (t == 1.f) return;
  if (t == 0.f) {
    for (size_t i = 0; i < n; ++i) y[i] = a[i];
    return;
  }
  size_t i = 0;
  for (; i + W <= n; i += W) store(y + i, blend_of(t, load<V>(a + i), load<V>(y + i)));
  for (; i < n; ++i) y[i] = blend_of(t, a[i], y[i]);
}

template <class V, bool kStream = false>
void forward_op(Op op, const Params& p, const float* x, float* y, size_t n) {
  with_activation<true>(op, p, false, [&](auto a) {
    forward<V, typename decltype(a)::type, kStream>(p, x, y, n);
    return true;
  });
}

template <class V, bool kStream = false>
void backward_op(Op op, const Params& p, const float* x, const float* dy, float* out, size_t n) {
  with_activation<true>(op, p, false, [&](auto a) {
    backward<V, typename decltype(a)::type, kStream>(p, x, dy, out, n);
    return true;
  });
}

// Aptx itself, never AptxPlain: the sums take the general form at every parameter.
template <class V>
void param_grad_op(Op op, const Params& p, const float* x, const float* dy, size_t n,
                   double* sums) {
  with_activation(op, p, false, [&](auto a) {
    using Tag = decltype(a);
    if constexpr (Tag::trainable) param_grad<V, typename Tag::type, Tag::params>(p, x, dy, n, sums);
    return true;
  });
}

// ---- Half precision ---------------------------------------------------------------------

template <class V, Half F>
void widen(const uint16_t* src, float* dst, size_t n) {
  constexpr size_t W = Lanes<V>::count;
  size_t i = 0;
  for (; i + W <= n; i += W) store(dst + i, HalfOps<V>::template widen<F>(src + i));
  for (; i < n; ++i) dst[i] = half_to_float(F, src[i]);
}

template <class V>
void widen_half(Half h, const uint16_t* src, float* dst, size_t n) {
  h == Half::Bf16 ? widen<V, Half::Bf16>(src, dst, n) : widen<V, Half::F16>(src, dst, n);
}

// Every NaN as the float32 quiet NaN 0x7fc00000, whose narrowing is the format's canonical NaN.
template <class V>
AK_HD V canonical_nan(V v) {
  return select(is_nan(v), V(as_float(0x7fc00000)), v);
}

template <class V, Half F>
void narrow(const float* src, uint16_t* dst, size_t n) {
  constexpr size_t W = Lanes<V>::count;
  size_t i = 0;
  for (; i + W <= n; i += W)
    HalfOps<V>::store_h(dst + i, HalfOps<V>::template narrow<F>(canonical_nan(load<V>(src + i))));
  for (; i < n; ++i) dst[i] = float_to_half(F, src[i]);
}

template <class V>
void narrow_half(Half h, const float* src, uint16_t* dst, size_t n) {
  h == Half::Bf16 ? narrow<V, Half::Bf16>(src, dst, n) : narrow<V, Half::F16>(src, dst, n);
}

// One vector (V2 = V) or one lane (V2 = float) of narrow_checked at i; returns the new count.
// Rounding is monotonic, so where both ends of [r - bound, r + bound] round to one value, so does
// every value between, the exact one included.
template <class V2, Half F>
AK_HD size_t narrow_step(const float* x, const float* r, const float* dy, const float* e,
                         const HalfBound& b, uint16_t* out, size_t i, uint32_t* unsure,
                         size_t count) {
  using O = HalfOps<V2>;
  constexpr int W = Lanes<V2>::count;
  V2 rv = load<V2>(r + i);
  V2 bound = e ? load<V2>(e + i) : lane_bound(b, load<V2>(x + i), rv, dy, i);
  V2 lo = rv - bound, hi = rv + bound;
  if (b.zero_exact) {  // a zero r is the result, its sign too (-0 + 0 would be +0)
    auto zero = rv == V2(0.f);
    lo = select(zero, rv, lo);
    hi = select(zero, rv, hi);
  }
  // A NaN r is settled too: the float32 kernel may make one (0 * Inf) where the exact value is
  // a number, and the lanes of an input NaN are few.
  auto nan = is_nan(rv);
  auto nlo = O::template narrow<F>(select(nan, V2(0.f), lo));
  auto nhi = O::template narrow<F>(select(nan, V2(1.f), hi));
  // Where the two agree, every value between rounds to it, r and the exact value too; the other
  // lanes are written again once settled.
  O::store_h(out + i, nlo);
  if (O::differ(nlo, nhi)) {
    uint16_t a[W], c[W];
    O::store_h(a, nlo);
    O::store_h(c, nhi);
    for (int l = 0; l < W; ++l)
      if (a[l] != c[l]) unsure[count++] = uint32_t(i + size_t(l));
  }
  return count;
}

// e[i] = the bound of r[i] (a zero of a cheap op: 0, it is exact), for a blend's sides.
template <class V>
void lane_bounds(const HalfBound& b, const float* x, const float* dy, const float* r, float* e,
                 size_t n) {
  constexpr size_t W = Lanes<V>::count;
  size_t i = 0;
  auto step = [&](auto v) {
    using V2 = decltype(v);
    V2 rv = load<V2>(r + i), bound = lane_bound(b, load<V2>(x + i), rv, dy, i);
    store(e + i, b.zero_exact ? select(rv == V2(0.f), V2(0.f), bound) : bound);
  };
  for (; i + W <= n; i += W) step(V(0.f));
  for (; i < n; ++i) step(0.f);
}

template <class V, Half F>
size_t narrow_checked(const float* x, const float* r, const float* dy, const float* e,
                      const HalfBound& b, uint16_t* out, size_t n, uint32_t* unsure) {
  constexpr size_t W = Lanes<V>::count;
  size_t i = 0, count = 0;
  for (; i + W <= n; i += W) count = narrow_step<V, F>(x, r, dy, e, b, out, i, unsure, count);
  for (; i < n; ++i) count = narrow_step<float, F>(x, r, dy, e, b, out, i, unsure, count);
  return count;
}

template <class V>
size_t narrow_checked_half(Half h, const float* x, const float* r, const float* dy, const float* e,
                           const HalfBound& b, uint16_t* out, size_t n, uint32_t* unsure) {
  return h == Half::Bf16 ? narrow_checked<V, Half::Bf16>(x, r, dy, e, b, out, n, unsure)
                         : narrow_checked<V, Half::F16>(x, r, dy, e, b, out, n, unsure);
}

// An exact formula (ExactFormula, cpp/dispatch.h) on half data in one pass: widen, the formula,
// narrow, store, a vector at a time (streaming stores past the caches), the tail lane by lane:
// the bits of the tiles, without them. dy null for forward.
template <class V2, class A, Half F, bool kStream>
AK_HD void exact_step(const Params& p, const uint16_t* x, const uint16_t* dy, uint16_t* out,
                      size_t i) {
  using O = HalfOps<V2>;
  V2 v = O::template widen<F>(x + i);
  V2 r = dy ? A::template backward<V2>(v, O::template widen<F>(dy + i), p)
            : A::template forward<V2>(v, p);
  // r is x, dy, 0 or 6, or a NaN: a value of the format
  if constexpr (kStream)
    O::store_h_stream(out + i, O::template narrow_exact<F>(canonical_nan(r)));
  else
    O::store_h(out + i, O::template narrow_exact<F>(canonical_nan(r)));
}

template <class V, class A, Half F, bool kStream>
void exact_pass(const Params& p, const uint16_t* x, const uint16_t* dy, uint16_t* out, size_t n) {
  constexpr size_t W = Lanes<V>::count;
  size_t i = 0;
  if (W > 1 && kStream) {  // aligned for the streaming stores (a Uint16Array is 2-aligned)
    size_t head = ((64 - (reinterpret_cast<uintptr_t>(out) & 63)) & 63) / sizeof(uint16_t);
    if (reinterpret_cast<uintptr_t>(out) % sizeof(uint16_t)) head = n;
    for (; i < head && i < n; ++i) exact_step<float, A, F, false>(p, x, dy, out, i);
    for (; i + W <= n; i += W) exact_step<V, A, F, true>(p, x, dy, out, i);
    stream_fence();
  }
  for (; i + W <= n; i += W) exact_step<V, A, F, false>(p, x, dy, out, i);
  for (; i < n; ++i) exact_step<float, A, F, false>(p, x, dy, out, i);
}

// False, computing nothing, where op's formula is not exact.
template <class V>
bool exact_half_pass(Op op, const Params& p, Half h, const uint16_t* x, const uint16_t* dy,
                     uint16_t* out, size_t n, bool stream) {
  return with_activation<true>(op, p, false, [&](auto a) {
    using A = typename decltype(a)::type;
    if constexpr (ExactFormula<A>::value) {
      if (h == Half::Bf16)
        stream ? exact_pass<V, A, Half::Bf16, true>(p, x, dy, out, n)
               : exact_pass<V, A, Half::Bf16, false>(p, x, dy, out, n);
      else
        stream ? exact_pass<V, A, Half::F16, true>(p, x, dy, out, n)
               : exact_pass<V, A, Half::F16, false>(p, x, dy, out, n);
      return true;
    } else {
      return false;
    }
  });
}

}  // namespace cpu_loops

template <class V>
constexpr CpuKernels make_cpu_kernels(const char* isa) {
  return {isa,
          cpu_loops::forward_op<V>,
          cpu_loops::backward_op<V>,
          cpu_loops::param_grad_op<V>,
          cpu_loops::blend<V>,
          cpu_loops::forward_op<V, true>,
          cpu_loops::backward_op<V, true>,
          cpu_loops::widen_half<V>,
          cpu_loops::narrow_half<V>,
          cpu_loops::narrow_checked_half<V>,
          cpu_loops::lane_bounds<V>,
          cpu_loops::exact_half_pass<V>};
}

}  // namespace AK_ISA_NS

}  // namespace ak
