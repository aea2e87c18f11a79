// The CPU loops, written once over a vector type V and instantiated per ISA by the
// isa_*.cpp files (each compiled with its own flags). Full vectors first, then the scalar
// tail through the same formulas, so any length and any alignment works.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../dispatch.h"
#include "../half.h"
#include "../simd/half_ops.h"

namespace ak {

// How far a float32 result r may be from the exact value (docs/targets.md, as
// cpp/cpu/half_exact.cpp's half_bound states it): |r|·rel + abs (+ |dy|·dy for a gradient). A lane
// whose interval around r holds a half-precision rounding boundary is settled exactly
// (cpp/cpu/half_exact.cpp). zero_exact: a zero r is the exact result, sign included (the cheap
// ops).
struct HalfBound {
  float rel, abs, dy;
  bool zero_exact;
  bool exact;  // r is the exact value (relu, relu6): rounded as it is
};

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
  // returns how many. stream: streaming stores.
  size_t (*narrow_checked)(Half h, const float* r, const float* dy, const float* e,
                           const HalfBound& b, uint16_t* out, size_t n, uint32_t* unsure,
                           bool stream);
  // The fused pass of one activation node (not a blend) on halves: out = f(x) (dy given: f'(x)
  // dy) narrowed, the lanes the bound b leaves open listed in unsure as narrow_checked lists them;
  // returns how many.
  size_t (*half_pass)(Op op, const Params& p, Half h, const HalfBound& b, const uint16_t* x,
                      const uint16_t* dy, uint16_t* out, size_t n, uint32_t* unsure, bool stream);
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

// The lanes where a piecewise-rational formula's exact value is a float32 v, found per lane from
// exact sums (TwoSum's error term is exact: zero says the sum is) and fma residuals (a product's
// exact residual, where the magnitudes keep it from underflowing to zero): v = q / d divided
// once, and v d - q == 0 proves it the exact quotient. Such a v rounded to the format is the
// correctly rounded result, ties included. Many half inputs give exact ties there (x (x + 3) / 6
// at a bfloat16 x) where the formula's own r is an ulp off (it multiplies by a rounded 1/6): they
// would otherwise all go to the double settling. has: the formula has the check.
template <class A>
struct HalfExact {
  static constexpr bool has = false;
};

template <class V2>
AK_HD auto moderate(V2 a) {  // 2^-96 <= |a| <= 2^96: residuals of such products are not lost
  V2 m = absv(a);
  return (m >= V2(0x1p-96f)) & (m <= V2(0x1p96f));
}
template <class V2>
AK_HD auto exact_sum(V2 a, V2 b, V2& s) {
  s = a + b;
  V2 bb = s - a, err = (a - (s - bb)) + (b - bb);
  return err == V2(0.f);
}
template <class V2>
AK_HD auto exact_product(V2 a, V2 b, V2& p) {
  p = a * b;
  return moderate(a) & moderate(b) & moderate(p) & (fmsub(a, b, p) == V2(0.f));
}

// hardGate between its kinks (-shift < x < hi, as the formula classifies x): x (x + shift) / cap,
// and (2x + shift) dy / cap.
template <>
struct HalfExact<HardGate> {
  static constexpr bool has = true;
  template <class V2, bool kGrad>
  AK_HD static auto exact(V2 x, V2 dy, const Params& p, V2& v) {
    V2 shift(p.v[0]), cap(p.v[1]), t, q;
    auto inside = (x > -shift) & (x < V2(p.v[3])) & moderate(cap);
    if constexpr (kGrad)
      inside = inside & exact_sum(x + x, shift, t) & exact_product(t, dy, q);
    else
      inside = inside & exact_sum(x, shift, t) & exact_product(x, t, q);
    v = q / cap;
    return inside & moderate(v) & (fmsub(v, cap, q) == V2(0.f));
  }
};

// hardSigmoid between its kinks: (x + 3) / 6, dy / 6.
template <>
struct HalfExact<HardSigmoid> {
  static constexpr bool has = true;
  template <class V2, bool kGrad>
  AK_HD static auto exact(V2 x, V2 dy, const Params&, V2& v) {
    V2 t = dy;
    auto inside = (x > V2(-3.f)) & (x < V2(3.f));
    if constexpr (!kGrad) inside = inside & exact_sum(x, V2(3.f), t);
    v = t / V2(6.f);
    return inside & moderate(t) & moderate(v) & (fmsub(v, V2(6.f), t) == V2(0.f));
  }
};

// One vector (V2 = V) or one lane (V2 = float) of results r at i, narrowed into out, with bound
// the distance r may be off the exact value (HalfBound: ignored where b.exact); lanes the bound
// leaves open are listed in unsure. Returns the new count. Rounding is monotonic (and odd), so
// where both ends of [|r| - bound, |r| + bound] round to one value, so does every value between,
// the exact one included. exact(v): the lanes whose exact value is v (HalfExact), asked only where
// some lane is open.
template <class V2, Half F, bool kStream, bool kHasExact = false, class Exact = int>
AK_HD size_t narrow_store(V2 rv, V2 bound, const HalfBound& b, uint16_t* out, size_t i,
                          uint32_t* unsure, size_t count, const Exact& exact = 0) {
  using O = HalfOps<V2>;
  if (b.exact) {  // r is the exact value: no check
    auto result = O::template narrow<F>(canonical_nan(rv));
    if constexpr (kStream)
      O::store_h_stream(out + i, result);
    else
      O::store_h(out + i, result);
    return count;
  }
  // A zero r is the result, its sign too. A NaN r is settled: the float32 kernel may make one
  // (0 * Inf) where the exact value is a number, and the lanes of an input NaN are few.
  if (b.zero_exact) bound = select(rv == V2(0.f), V2(0.f), bound);
  typename O::H nr;
  unsigned open = O::template narrow_open<F>(rv, bound, nr);
  if constexpr (kHasExact) {
    if (open) {  // an exact value is its own interval
      V2 v;
      auto e = exact(v);
      open = O::template narrow_open<F>(select(e, v, rv), select(e, V2(0.f), bound), nr);
    }
  }
  // Where the interval rounds as r, every value in it does, the exact one too; the open lanes
  // are written again once settled.
  if constexpr (kStream)
    O::store_h_stream(out + i, nr);
  else
    O::store_h(out + i, nr);
  for (; open; open &= open - 1) unsure[count++] = uint32_t(i + size_t(__builtin_ctz(open)));
  return count;
}

// One vector or lane of narrow_checked at i: the bound from e, or from r (and dy) as HalfBound
// says.
template <class V2, Half F, bool kStream>
AK_HD size_t narrow_step(const float* r, const float* dy, const float* e, const HalfBound& b,
                         uint16_t* out, size_t i, uint32_t* unsure, size_t count) {
  V2 rv = load<V2>(r + i);
  V2 bound = e ? load<V2>(e + i) : fmadd(absv(rv), V2(b.rel), V2(b.abs));
  if (dy && !e) bound = fmadd(absv(load<V2>(dy + i)), V2(b.dy), bound);
  return narrow_store<V2, F, kStream>(rv, bound, b, out, i, unsure, count);
}

template <class V, Half F, bool kStream>
size_t narrow_checked(const float* r, const float* dy, const float* e, const HalfBound& b,
                      uint16_t* out, size_t n, uint32_t* unsure) {
  constexpr size_t W = Lanes<V>::count;
  size_t i = 0, count = 0;
  if (W > 1 && kStream) {  // aligned for the streaming stores (a Uint16Array is 2-aligned)
    size_t head = ((64 - (reinterpret_cast<uintptr_t>(out) & 63)) & 63) / sizeof(uint16_t);
    if (reinterpret_cast<uintptr_t>(out) % sizeof(uint16_t)) head = n;
    for (; i < head && i < n; ++i)
      count = narrow_step<float, F, false>(r, dy, e, b, out, i, unsure, count);
    for (; i + W <= n; i += W) count = narrow_step<V, F, true>(r, dy, e, b, out, i, unsure, count);
    stream_fence();
  }
  for (; i + W <= n; i += W) count = narrow_step<V, F, false>(r, dy, e, b, out, i, unsure, count);
  for (; i < n; ++i) count = narrow_step<float, F, false>(r, dy, e, b, out, i, unsure, count);
  return count;
}

template <class V>
size_t narrow_checked_half(Half h, const float* r, const float* dy, const float* e,
                           const HalfBound& b, uint16_t* out, size_t n, uint32_t* unsure,
                           bool stream) {
  if (h == Half::Bf16)
    return stream ? narrow_checked<V, Half::Bf16, true>(r, dy, e, b, out, n, unsure)
                  : narrow_checked<V, Half::Bf16, false>(r, dy, e, b, out, n, unsure);
  return stream ? narrow_checked<V, Half::F16, true>(r, dy, e, b, out, n, unsure)
                : narrow_checked<V, Half::F16, false>(r, dy, e, b, out, n, unsure);
}

// The fused half-precision pass of one activation node (not a blend): per vector, widen x (and
// dy) in registers, the float32 formula, the bound, narrow and store; no tile buffers between the
// steps. The lanes the bound leaves open are listed in unsure (at most n) for the caller to
// settle. The same float32 results and bounds as the tile path (narrow_step), so the same lanes.
template <class V2, class A, bool kGrad>
AK_HD V2 half_value(const Params& p, const HalfBound& b, V2 xv, V2 dv, V2& bound) {
  V2 r;
  if constexpr (kGrad) {
    r = A::template backward<V2>(xv, dv, p);
    bound = fmadd(absv(dv), V2(b.dy), fmadd(absv(r), V2(b.rel), V2(b.abs)));
  } else {
    r = A::template forward<V2>(xv, p);
    bound = fmadd(absv(r), V2(b.rel), V2(b.abs));
  }
  return r;
}

template <class V2, class A, Half F, bool kGrad, bool kStream>
AK_HD size_t half_store(const Params& p, const HalfBound& b, V2 xv, V2 dv, V2 r, V2 bound,
                        uint16_t* out, size_t i, uint32_t* unsure, size_t count) {
  return narrow_store<V2, F, kStream, HalfExact<A>::has>(
      r, bound, b, out, i, unsure, count, [&](V2& v) {
        if constexpr (HalfExact<A>::has)
          return HalfExact<A>::template exact<V2, kGrad>(xv, dv, p, v);
        else
          return 0;
      });
}

template <class V2, class A, Half F, bool kGrad, bool kStream>
AK_HD size_t half_step(const Params& p, const HalfBound& b, V2 xv, V2 dv, uint16_t* out, size_t i,
                       uint32_t* unsure, size_t count) {
  V2 bound, r = half_value<V2, A, kGrad>(p, b, xv, dv, bound);
  return half_store<V2, A, F, kGrad, kStream>(p, b, xv, dv, r, bound, out, i, unsure, count);
}

template <class V, class A, Half F, bool kGrad, bool kStream>
size_t half_pass(const Params& p, const HalfBound& b, const uint16_t* x, const uint16_t* dy,
                 uint16_t* out, size_t n, uint32_t* unsure) {
  constexpr size_t W = Lanes<V>::count;
  using O = HalfOps<V>;
  size_t i = 0, count = 0;
  auto lane = [&](size_t j) {
    using Of = HalfOps<float>;
    float xv = Of::template widen<F>(x + j), dv = kGrad ? Of::template widen<F>(dy + j) : 0.f;
    count = half_step<float, A, F, kGrad, false>(p, b, xv, dv, out, j, unsure, count);
  };
  if (W > 1 && kStream) {  // aligned for the streaming stores (a Uint16Array is 2-aligned)
    size_t head = ((64 - (reinterpret_cast<uintptr_t>(out) & 63)) & 63) / sizeof(uint16_t);
    if (reinterpret_cast<uintptr_t>(out) % sizeof(uint16_t)) head = n;
    for (; i < head && i < n; ++i) lane(i);
  }
  // Four vectors in flight: the exp-based formulas are latency chains.
  for (; i + 4 * W <= n; i += 4 * W) {
    V xv[4], dv[4], r[4], bound[4];
#define AK_HALF_VALUE(k)                                         \
  xv[k] = O::template widen<F>(x + i + k * W);                   \
  dv[k] = kGrad ? O::template widen<F>(dy + i + k * W) : V(0.f); \
  r[k] = half_value<V, A, kGrad>(p, b, xv[k], dv[k], bound[k]);
    AK_HALF_VALUE(0)
    AK_HALF_VALUE(1)
    AK_HALF_VALUE(2)
    AK_HALF_VALUE(3)
#undef AK_HALF_VALUE
    for (int k = 0; k < 4; ++k)
      count = half_store<V, A, F, kGrad, kStream>(p, b, xv[k], dv[k], r[k], bound[k], out,
                                                  i + size_t(k) * W, unsure, count);
  }
  for (; i + W <= n; i += W) {
    V xv = O::template widen<F>(x + i), dv = kGrad ? O::template widen<F>(dy + i) : V(0.f);
    count = half_step<V, A, F, kGrad, kStream>(p, b, xv, dv, out, i, unsure, count);
  }
  if (W > 1 && kStream) stream_fence();
  for (; i < n; ++i) lane(i);
  return count;
}

template <class V>
size_t half_pass_op(Op op, const Params& p, Half h, const HalfBound& b, const uint16_t* x,
                    const uint16_t* dy, uint16_t* out, size_t n, uint32_t* unsure, bool stream) {
  return with_activation<true>(op, p, size_t(0), [&](auto a) {
    using A = typename decltype(a)::type;
    auto go = [&](auto f, auto grad, auto st) {
      return half_pass<V, A, decltype(f)::value, decltype(grad)::value, decltype(st)::value>(
          p, b, x, dy, out, n, unsure);
    };
    using Bf = std::integral_constant<Half, Half::Bf16>;
    using Fp = std::integral_constant<Half, Half::F16>;
    using T = std::true_type;
    using N = std::false_type;
    if (h == Half::Bf16) {
      if (dy) return stream ? go(Bf(), T(), T()) : go(Bf(), T(), N());
      return stream ? go(Bf(), N(), T()) : go(Bf(), N(), N());
    }
    if (dy) return stream ? go(Fp(), T(), T()) : go(Fp(), T(), N());
    return stream ? go(Fp(), N(), T()) : go(Fp(), N(), N());
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
          cpu_loops::half_pass_op<V>};
}

}  // namespace AK_ISA_NS

}  // namespace ak
