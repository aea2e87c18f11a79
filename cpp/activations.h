// Every activation's formula, each written once over V (float, a SIMD wrapper, or float under
// CUDA) and registered in cpp/ops.h. An activation is a struct with:
//   forward(x, p)            f(x)
//   backward(x, dy, p)       f'(x) * dy
//   param_terms(x, dy, p, t) per-element terms whose sums are the parameter gradients (trainable
//                            ops only)
//   prepare(raw, v)          (optional, host code) the prepared parameters p.v from the float32
//                            parameters; without it p.v[i] = float(raw[i])
// Accuracy contract (docs/targets.md, checked on every path by test/accuracy.test.ts and
// `npm run accuracy`): forward within 4 ulp where the result is normal, 2^-126 absolute where
// it is subnormal; backward within 4 ulp + 2^-24 |dy|. Valid for every float x, ±0, ±Inf, NaN.
#pragma once

#include <cfloat>
#include <cmath>

#include "double_double.h"
#include "math.h"

namespace ak {
inline namespace AK_ISA_NS {

struct Relu {
  static constexpr bool kExact = true;  // selects x, dy or 0: the float32 result is exact
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    return maxv(V(0.f), x) + V(0.f);  // max gives x where x is NaN; + 0 makes -0 into +0
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    // relu'(0) = 0 as in PyTorch; a NaN input gives NaN, not a silent 0.
    return select(x > V(0.f), dy, select(is_nan(x), x, V(0.f)));
  }
};

// mish(x) = x tanh(softplus x) = x n / (n + 2) with t = e^x, n = t (t + 2)
// (tanh(log(1 + t)) = ((1+t)^2 - 1) / ((1+t)^2 + 1)). Forward within 3.2 ulp (2^28 inputs
// sampled on each path), for every float x; 28 instructions a vector on AVX-512, one of them
// a division.
struct Mish {
  static constexpr SlopeZone kSlopeCancels{-2.f, -0.75f};  // mish'(-1.1924) = 0
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    V xc = maxv(V(-kExpUnderflow), x);  // keeps NaN; below -174 the result is a signed zero
    ExpParts<V> e = exp_in_range(minv(xc, V(20.f)));
    V t = e.value();  // e^x, 0 below 2^-126: beside 2 and 2p it changes no rounding there
    // n = w 2^k, the 2^k applied last: x e^x stays exact where e^x alone would be subnormal
    // (t is then too small to matter beside 2). One rounding in w, none in x w (kept as
    // nh + nl: rounding it plainly costs 0.4 ulp more), one in n + 2.
    V w = fmadd(e.p, t, e.p + e.p);
    V d = fmadd(t, t + V(2.f), V(2.f));
    V nh = xc * w, nl = fmsub(xc, w, nh);
    // A correctly rounded reciprocal, not an estimate (rcp14 was 7% faster): every path then
    // gives the same bits, the CUDA kernels included.
    V r = recip(d);
    V q = nh * r;
    q = fnmadd(fmsub(q, d, nh) - nl, r, q);      // q - ((q d - nh) - nl) / d: keeps the sign of 0
    return select(x > V(20.f), x, scale(q, e));  // tanh(softplus 20) = 1 - 4e-18; and +Inf
  }
  // f' = e [(e+2)(n+2) + 4x(1+e)] / (n+2)^2: tanh(sp) + x sech^2(sp) s(x) over one denominator.
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    V e = exp_value(minv(x, V(20.f)));
    V d = fmadd(e, e + V(2.f), V(2.f));
    V g = e * fmadd(V(4.f) * x, V(1.f) + e, (e + V(2.f)) * d) / (d * d);
    g = select(x > V(20.f), V(1.f), g);
    g = select(x < V(-100.f), V(0.f), g);  // |f'| < 4e-42 there; avoids 0 * -Inf
    return g * dy;
  }
};

// swish(x) = x s(beta x). Params: v[0] = beta.
struct SwishPlain;
struct Swish {
  using Plain = SwishPlain;  // beta = 1 (silu, the default)
  AK_HD static bool plain(const Params& p) { return p.v[0] == 1.f; }
  static constexpr SlopeZone kSlopeCancels{-1.5f, -1.f};  // silu'(-1.2785) = 0
  static constexpr float kSlopeAt[] = {1.f};
  // beta = 0 is x / 2 (at ±Inf too, where beta x would be 0 * Inf).
  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    if (p.v[0] == 0.f) return V(0.5f) * x;
    if (exact_multiplier(p.v[0])) return mul_sigmoid_fast(x, V(p.v[0]) * x);  // beta x exact
    TwoProduct<V> z = two_product(V(p.v[0]), x);
    return mul_sigmoid_fast<true>(x, z.hi, z.lo);
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    if (p.v[0] == 0.f) return select(is_nan(x), x, V(0.5f)) * dy;
    return swish_slope(V(p.v[0]) * x) * dy;
  }
  // d/dbeta = x^2 s(z) s(-z)
  template <class V>
  AK_HD static void param_terms(V x, V dy, const Params& p, V* t) {
    V z = V(p.v[0]) * x;
    SigmoidPair<V> sp = sigmoid_pair(z);
    V d = (x * sp.s) * (x * sp.sc) * dy;
    t[0] = select(absv(z) > V(kExpUnderflow), V(0.f) * dy, d);
  }
};

// Swish at beta = 1 (silu), as its own kernel: Swish's power-of-two path with z = x.
struct SwishPlain {
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    return mul_sigmoid_fast<false, true>(x, x);
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    return swish_slope(x) * dy;
  }
};

// hardGate(x) = x clamp(x + shift, 0, cap) / cap: hard-swish, hard-mish, H-Mish.
// Params: v[0] = shift, v[1] = cap, v[2] = 1/cap where that is a normal float, else 0 (a cap
// below 2^-128 or above 2^126: then the formulas divide by cap), v[3] = the least float x with
// x + shift >= cap (so the kinks are classified exactly, whatever x + shift rounds to).
struct HardGate {
  // shift, cap as floats; v[2] = 1/cap where that is a normal float, else 0 (divide); v[3] = the
  // least float x with x + shift >= cap.
  static void prepare(const double* raw, float* v) {
    float shift = float(raw[0]), cap = float(raw[1]);
    double hi = double(cap) - double(shift);
    float hi_f = float(hi);
    if (double(hi_f) < hi) hi_f = std::nextafter(hi_f, INFINITY);
    double inv = 1.0 / double(cap);
    v[0] = shift;
    v[1] = cap;
    v[2] = inv >= 0x1p-126 && inv <= 0x1.fffffep127 ? float(inv) : 0.f;
    v[3] = hi_f;
  }
  template <class V>
  AK_HD static V over_cap(V v, const Params& p) {
    return p.v[2] != 0.f ? v * V(p.v[2]) : v / V(p.v[1]);
  }
  // (2x + shift) / cap; beyond cap = 2^126 as (x + shift/2) / (cap/2): 2x must not overflow
  template <class V>
  AK_HD static V slope(V x, const Params& p) {
    V shift(p.v[0]);
    if (p.v[2] != 0.f || p.v[1] < 1.f) return over_cap(fmadd(V(2.f), x, shift), p);
    return fmadd(V(0.5f), shift, x) / V(0.5f * p.v[1]);
  }
  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    V shift(p.v[0]), cap(p.v[1]), hi(p.v[3]);
    V y = x * over_cap(minv(maxv(x + shift, V(0.f)), cap), p);
    y = select(x >= hi, x, y);
    return select(x <= -shift, zero_with_sign(x), y);  // also -Inf -> -0, not -Inf * 0
  }
  // 0 where x + shift <= 0, 1 where x + shift >= cap, (2x + shift)/cap between (PyTorch).
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    V shift(p.v[0]), hi(p.v[3]);
    V g = slope(x, p);
    g = select(x >= hi, V(1.f), g);
    return select(x <= -shift, V(0.f), g) * dy;
  }
};

// approxMish(x) = x s(x) for x <= 0, x s(2x) for x >= 0 (piecewise Swish, C1 at 0).
struct ApproxMish {
  static constexpr SlopeZone kSlopeCancels{-1.5f, -1.f};  // approxMish'(-1.2785) = 0
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    return mul_sigmoid_fast<false, true>(x, select(x < V(0.f), x, x + x));
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    return swish_slope(select(x < V(0.f), x, x + x)) * dy;
  }
};

// linearSwish(x) = 2x s(1.25x) for x <= 0, x for x >= 0.
struct LinearSwish {
  static constexpr SlopeZone kSlopeCancels{-1.25f, -0.75f};  // linearSwish'(-1.0228) = 0
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    TwoProduct<V> z = two_product(V(1.25f), x);
    return select(x > V(0.f), x, mul_sigmoid_left<true>(x + x, z.hi, z.lo));
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    // the slope at the exact 1.25 x: its rounding alone cost an ulp (4.06 ulp in all at
    // x = -0.42257 with the degree-6 exp)
    TwoProduct<V> z = two_product(V(1.25f), x);
    V g = V(2.f) * swish_slope<true>(z.hi, z.lo);
    return select(x > V(0.f), V(1.f), g) * dy;
  }
};

// aptx(x) = gamma x (alpha + tanh(beta x)) = gamma x A(u), u = beta x, for every float alpha,
// beta, gamma (rounded to float once). A(u) is formed without cancellation:
//   F1, u <= split: A = (alpha - 1) + 2 s(2u)      (alpha >= 1: everywhere; keeps the left tail)
//   F2, u >  split: A = (alpha + 1) - 2 s(-2u)     (alpha <= -1: everywhere; the right tail)
//   |alpha| < 1: split = 0 and, within |u - u0| <= 0.75 of the root u0 = atanh(-alpha),
//     A = (1 - alpha^2) t / (1 - alpha t), t = tanh(u - u0)  (tanh(u) - tanh(u0), exactly)
// with u - u0 from the exact product beta x and u0 as a float pair. The near-root branch runs
// only for vectors that have a lane there. x, the factor gamma x, and the constants are scaled
// by powers of two where they could overflow (|x| > 2^124 / max constant, or constants beyond
// 2^60); ±0 and ±Inf come from the exact limits (prepare). Contract: forward within
// 4 ulp, backward within 4 ulp + 2^-24 |dy|, for every float x and every valid parameter
// (checked by test/accuracy.test.ts and `npm run accuracy` at non-default parameters). The float
// backward forms f'/gamma to about 2^-26 absolute near the zeros of f', which gamma > 2 would
// carry past the allowance: there a Taylor series about each zero takes over (series_slots).
// The *_with forms serve the APTx Neuron layer (cpp/layer/aptx_layer_kernels.h), whose
// parameters vary per lane: the F1 form only, a1 = alpha - 1, b2 = 2 beta; exact for alpha >= 1.
struct AptxPlain;
struct Aptx {
  using Plain = AptxPlain;
  AK_HD static bool plain(const Params& p) { return p.v[kPlain] != 0.f; }
  static constexpr SlopeZone kSlopeCancels{-1.f, -0.375f};  // aptx()'(-0.6392) = 0
  static constexpr float kSlopeAt[] = {1.f, 1.f, 0.5f};
  // Prepared parameters (prepare):
  static constexpr int kAlpha = 0, kBeta = 1, kGamma = 2;
  static constexpr int kRoot = 3, kRootLo = 4;  // u0 as hi + lo; NaN where there is no root
  static constexpr int kSplit = 5;              // F2 where u > split
  static constexpr int kScale = 6;  // the result's factor: 2^kg, or gamma itself when gamma = 0
  static constexpr int kBig = 7;    // lanes with |x| > big are computed at x 2^-64
  // Coefficient sets {c1, c2, two, k, a}: x A(u) c = c1 x + two x s(2u) (F1), c2 x - two x s(-2u)
  // (F2), k x t / (1 - alpha t) (near the root), a x (1 + u / alpha) or (two/2) x u for alpha = 0
  // (|x| < small); two = 0 for
  // beta = 0 (then c1 = alpha c).
  static constexpr int kScaled = 8;   // c = gamma 2^-kg (or c = 1 when gamma = 0)
  static constexpr int kOne = 13;     // c = 1: the backward and d/dgamma
  static constexpr int kLimits = 18;  // f(+Inf), f(-Inf), f'(+Inf), f'(-Inf)
  static constexpr int kSmall = 22;   // below: f = gamma x (alpha + beta x), tanh(u) = u
  static constexpr int kInvAlpha = 23;
  static constexpr int kSlopeSplit =
      24;  // backward: F2 where 2u > this (slope(2u) = (1 + alpha)/2)
  // 1 where alpha = 1, beta != 0, 0 < |gamma| <= 1/2 (the defaults): f = 2 gamma x s(2u) and
  // f' = 2 gamma slope(2u), whose limits, zeros and tails need none of the above.
  static constexpr int kPlain = 25;
  static constexpr int kTwoBeta = 26;  // 2 beta, for the plain form
  static constexpr int kOneLo = 27;    // the rounding of c1, c2 of the set kOne (alpha -+ 1)
  // |gamma| >= 2^24 (else 0): gamma = m 2^k as m in [1, 2) and 2^k, and f'/gamma at +-Inf, for the
  // lanes where gamma f'/gamma overflows and f' dy need not (series_slots), and huge_tail.
  // kHugeTail: +-1 where alpha = +-1 (f'/gamma = +-2 (1 + z) e^z far out, z = +-2u, below the
  // float range where gamma f'/gamma is not), else 0.
  // kHugeOverflow: 1 where |gamma| (|alpha| + 1.25) may overflow (then the overflow select runs).
  static constexpr int kHugeGamma = 29, kHugeScale = 30, kHugeLimits = 31, kHugeTail = 33;
  static constexpr int kHugeOverflow = 34;
  static constexpr int kSpan = 35;  // lowest and highest u of every centre's interval
  // The backward for |gamma| > 2 (series_slots): how many centres (0 to 2), then per centre C
  // (as hi, lo), the interval of u it covers (lowest, highest) and the Taylor coefficients
  // of f'/gamma at C, K0 to K2 as float pairs, the degree n this centre needs (at most kDegree),
  // K3 to Kn as floats.
  static constexpr int kCentres = 37, kCentre = 38;
  static constexpr int kDegree = 24;
  static constexpr int kCentreSlots = 11 + kDegree - 2;
  // From alpha, beta, gamma (rounded to float once) to the slots above; everything else is
  // derived from those floats in double. Host code, run once per activation.
  static void prepare(const double* raw, float* v) {
    const double a = float(raw[0]), b = float(raw[1]), g = float(raw[2]);
    const double inf = INFINITY;
    v[0] = float(a);
    v[1] = float(b);
    v[2] = float(g);
    // The root of alpha + tanh(u), as a float pair; NaN (no near-root branch) where there is none.
    double u0 = (std::fabs(a) < 1 && b != 0) ? std::atanh(-a) : NAN;
    if (u0 == 0) u0 = 0;  // +0: u - u0 keeps the sign of u
    v[3] = float(u0);
    v[4] = float(u0 - double(float(u0)));
    // F1 below the split, F2 above: one form everywhere for alpha >= 1 or <= -1 (or beta = 0)
    const double side = b == 0 || a >= 1 ? inf : a <= -1 ? -inf : 0.0;
    v[5] = float(side);
    // {c1, c2, two, k, a} for c = 1: alpha - 1, alpha + 1, 2, 1 - alpha^2, alpha (c1 = alpha,
    // two = 0 for beta = 0: a line); the scaled set is c = gamma 2^-kg, or c = 1 when gamma = 0
    // (then the result is multiplied by gamma itself, for the sign of its zero).
    double one[5] = {b == 0 ? a : a - 1, a + 1, b == 0 ? 0.0 : 2.0, 1 - a * a, a};
    double scaled[5], m = 0;
    for (int i = 0; i < 5; ++i) {
      scaled[i] = one[i] * (g == 0 ? 1 : g);
      m = std::fmax(m, std::fabs(scaled[i]));
    }
    int kg = m > 0x1p60 ? int(std::ceil(std::log2(m))) - 60 : 0;
    if (kg > 127) kg = 127;
    for (int i = 0; i < 5; ++i) {
      v[8 + i] = float(std::ldexp(scaled[i], -kg));
      v[13 + i] = float(one[i]);
    }
    // what rounding alpha -+ 1 lost (the backward adds it back); 0 where two = 0 (beta = 0)
    for (int i = 0; i < 2; ++i) v[27 + i] = b == 0 ? 0.f : float(one[i] - double(float(one[i])));
    v[6] = g == 0 ? float(g) : float(std::ldexp(1.0, kg));
    m = std::ldexp(m, -kg);
    v[7] = m > 0 ? float(std::fmin(0x1p124 / m, 0x1p124)) : float(inf);
    // The limits at ±Inf: tanh(beta x) -> T, f -> gamma (alpha + T) x, or a zero with the sign of
    // gamma x (alpha + tanh) where alpha + T = 0 or gamma = 0; f' -> gamma (alpha + T).
    for (int side = 0; side < 2; ++side) {
      double sx = side == 0 ? 1 : -1;
      double t = b > 0 ? sx : b < 0 ? -sx : 0;
      double c = a + t;
      v[18 + side] =
          float(c != 0 && g != 0 ? g * c * (sx * inf) : (g * sx * (c != 0 ? c : a)) * 0.0);
      v[20 + side] = float(g * c);
    }
    // Below small, tanh(beta x) = beta x to 2^-26 and alpha + beta x does not cancel (or alpha =
    // 0).
    double small = 0x1p-64;
    if (b != 0) small = std::fmin(small, 0x1p-13 / std::fabs(b));
    if (b != 0 && a != 0) small = std::fmin(small, 0x1p-4 * std::fabs(a) / std::fabs(b));
    v[22] = float(small);
    v[23] = a != 0 ? float(std::fmax(-FLT_MAX, std::fmin(FLT_MAX, 1 / a))) : 0.f;
    // The backward's split: F1 (alpha - 1) + 2 slope(z) and F2 (alpha + 1) - 2 slope(-z) have terms
    // of equal size where slope(z) = (1 + alpha)/2, z = 2u (slope increases on [-1.28, 2.4]).
    double split = side;
    if (std::isfinite(split)) {
      auto slope = [](double z) {
        double s = 1 / (1 + std::exp(-z));
        return s * (1 + z * (1 - s));
      };
      double lo = -1.2784645427610738, hi = 2.3993572805154676;
      for (int i = 0; i < 200; ++i) {
        double mid = 0.5 * (lo + hi);
        (slope(mid) < 0.5 * (1 + a) ? lo : hi) = mid;
      }
      split = lo;
    }
    v[24] = float(split);
    v[26] = float(2 * b);
    v[25] = a == 1 && b != 0 && std::isfinite(v[26]) && g != 0 && std::fabs(g) <= 0.5 ? 1.f : 0.f;
    series_slots(a, b, g, v);
  }

  // h(u) = f'/gamma = alpha + phi(u), phi(u) = tanh u + u sech^2 u, in double, each side written
  // without cancellation beyond alpha -+ 1 (tanh u + 1 = 2 s(2u) for u < 0).
  static double slope_h(double a, double u) {
    double e = std::exp(-2 * std::fabs(u)), sech2 = 4 * e / ((1 + e) * (1 + e));
    double tail = u < 0 ? (a - 1) + 2 * e / (1 + e) : (a + 1) - 2 * e / (1 + e);
    return tail + u * sech2;
  }
  // The size of the terms the float backward sums at u (its absolute error is a small part of
  // it): |alpha -+ 1| and the slope's own terms e (|1 + z| + e) / (1 + e)^2 on the F1/F2 side;
  // (|alpha| + |tanh u| + |u| sech^2 u) / 6 in the near-root band, whose pairs keep more.
  static double slope_terms(double a, double u, const float* v) {
    if (std::fabs(a) < 1 && std::fabs(u - (double(v[kRoot]) + v[kRootLo])) <= kTanhSmall) {
      double t = std::tanh(u);
      return (std::fabs(a) + std::fabs(t) + std::fabs(u) * (1 - t * t)) / 6;
    }
    bool f2 = 2 * u > v[kSlopeSplit];
    double z = f2 ? -2 * u : 2 * u, e = std::exp(-std::fabs(z));
    double s = z < 0 ? e * (std::fabs(1 + z) + e) : 1 + e + z * e;
    return std::fabs(f2 ? a + 1 : a - 1) + 2 * s / ((1 + e) * (1 + e));
  }
  // Where f'/gamma = h(u) cancels, the float backward's absolute error (about 2^-26 of its terms)
  // becomes a relative one that gamma, however large, carries into the result. For |gamma| > 2
  // (below, the contract's 2^-24 |dy| absorbs it) the intervals of u where 3 |h| < terms -
  // 1.2 / |gamma| (the float form's error against 2^-24 + 2.5 ulp of gamma h; every interval holds
  // a zero of h or the extremum alpha -+ u* of h at u = -+u*, u* tanh u* = 1) get a centre C
  // (each zero, or -+u* where an interval holds none) and the Taylor series of h about C, summed
  // in the backward with its first three terms in float pairs: relative accuracy through the
  // zeros, the merged double zero at |alpha| = u* included. Each zero gets at least its 2^-8
  // neighbourhood.
  static void series_slots(double a, double b, double g, float* v) {
    v[kCentres] = 0;
    v[kHugeGamma] = 0;
    v[kHugeTail] = b != 0 && std::fabs(a) == 1 ? float(a) : 0.f;
    v[kHugeOverflow] = std::fabs(g) * (std::fabs(a) + 1.25) > 0x1p127 ? 1.f : 0.f;
    if (std::fabs(g) >= 0x1p24 && std::isfinite(g)) {
      int k = std::ilogb(g);
      v[kHugeGamma] = float(std::ldexp(g, -k));
      v[kHugeScale] = float(std::ldexp(1.0, k));
      for (int side = 0; side < 2; ++side) {
        double t = b > 0 ? 1 - 2 * side : b < 0 ? 2 * side - 1 : 0;
        v[kHugeLimits + side] = float(a + t);
      }
    }
    if (!(std::fabs(g) > 2) || b == 0 || !std::isfinite(a) || !std::isfinite(b)) return;
    const double us = 1.1996786402577338;  // u* tanh u* = 1: phi'(u*) = 0, phi(u*) = u*
    const double step = 1.0 / 64, reach = 40;
    // (the float form's error, about S 2^-24 for terms S, against 2^-24 + 2.5 ulp of gamma h)
    auto cancels = [&](double u) {
      return 3 * std::fabs(slope_h(a, u)) < slope_terms(a, u, v) - 1.2 / std::fabs(g);
    };
    // candidates: every zero of h, and the extrema -+u* where h cancels there
    double cand[8];
    int nc = 0;
    for (double u = -reach; u < reach && nc < 6; u += step) {
      double lo = u, hi = u + step, hl = slope_h(a, lo);
      if ((hl < 0) == (slope_h(a, hi) < 0)) continue;
      for (int i = 0; i < 200; ++i) {
        double mid = 0.5 * (lo + hi);
        ((slope_h(a, mid) < 0) == (hl < 0) ? lo : hi) = mid;
      }
      cand[nc++] = 0.5 * (lo + hi);
    }
    for (int side = -1; side <= 1; side += 2)
      if (cancels(side * us)) cand[nc++] = side * us;
    // each candidate's interval where h cancels, grown in steps of 2^-9; overlapping ones merged
    double lo[8], hi[8];
    int n = 0;
    for (int i = 0; i < nc; ++i) {
      double l = cand[i], h = cand[i];
      while (cand[i] - l < 2 && cancels(l - 0x1p-9)) l -= 0x1p-9;
      while (h - cand[i] < 2 && cancels(h + 0x1p-9)) h += 0x1p-9;
      int j = 0;
      while (j < n && (l > hi[j] || h < lo[j])) ++j;
      if (j == n) ++n, lo[j] = l, hi[j] = h;
      lo[j] = std::fmin(lo[j], l), hi[j] = std::fmax(hi[j], h);
    }
    // The centres: the zeros of h (about a zero each term of the series carries a factor d, so
    // the float part's rounding stays relative next to it), each covering its interval up to the
    // extremum between two zeros; the extremum itself where an interval holds no zero.
    double ctr[4], from[4], to[4];
    int m = 0;
    for (int j = 0; j < n; ++j) {
      int first = m;
      for (int i = 0; i < nc && m < 4; ++i)
        if (std::fabs(cand[i]) != us && cand[i] >= lo[j] && cand[i] <= hi[j]) ctr[m++] = cand[i];
      if (m == first) {
        for (int i = 0; i < nc; ++i)
          if (std::fabs(cand[i]) == us && cand[i] >= lo[j] && cand[i] <= hi[j]) ctr[m++] = cand[i];
      }
      for (int i = first; i < m; ++i) {
        from[i] = i == first ? lo[j] : 0.5 * (ctr[i - 1] + ctr[i]);
        to[i] = i == m - 1 ? hi[j] : 0.5 * (ctr[i] + ctr[i + 1]);
      }
    }
    if (m > 2) m = 2;  // (two at most: one zero for |alpha| <= 1, two or the extremum above)
    for (int j = 0; j < m; ++j) {
      float* c = v + kCentre + j * kCentreSlots;
      c[0] = float(ctr[j]);
      c[1] = float(ctr[j] - double(c[0]));
      const double u0 = double(c[0]) + c[1];  // the centre as the kernel has it
      c[2] = float(from[j] - 0x1p-8);
      c[3] = float(to[j] + 0x1p-8);
      // Taylor coefficients of tanh about u0 from tanh' = 1 - tanh^2: (k+1) t[k+1] = -sum t[i]
      // t[k-i] (k >= 1), t[1] = sech^2 u0; of sech^2 = (k+1) t[k+1]; phi[k] = t[k] + u0 s[k] +
      // s[k-1]
      double t[kDegree + 2], s[kDegree + 1];
      double e = std::exp(-2 * std::fabs(u0));
      t[0] = std::tanh(u0);
      t[1] = 4 * e / ((1 + e) * (1 + e));
      for (int k = 1; k <= kDegree; ++k) {
        double sum = 0;
        for (int i = 0; i <= k; ++i) sum += t[i] * t[k - i];
        t[k + 1] = -sum / (k + 1);
      }
      for (int k = 0; k <= kDegree; ++k) s[k] = (k + 1) * t[k + 1];
      double coef[kDegree + 1];
      // K0 = h(u0) is the value the zeros' neighbours take their digits from: in double-double
      dd::DD k0 = dd::aptx_slope(a, u0);
      coef[0] = k0.hi + k0.lo;
      for (int k = 1; k <= kDegree; ++k) coef[k] = t[k] + u0 * s[k] + s[k - 1];
      c[5] = float((k0.hi - double(float(coef[0]))) + k0.lo);
      c[4] = float(coef[0]);
      for (int k = 1; k < 3; ++k) {
        c[4 + 2 * k] = float(coef[k]);
        c[5 + 2 * k] = float(coef[k] - double(float(coef[k])));
      }
      // the degree: the series converges like (d / rho)^k, rho = |u0 +- i pi/2| the distance to
      // the poles of tanh; the terms beyond n stay below 2^-34 of the leading ones on the interval
      const double rho = std::sqrt(u0 * u0 + 2.4674011002723395);
      const double reach = std::fmax(u0 - c[2], c[3] - u0);
      int degree = int(std::ceil(34 * 0.6931471805599453 / std::log(rho / reach)));
      degree = degree < 3 || !(reach < rho) ? kDegree : std::fmin(degree, kDegree);
      c[10] = float(degree);
      for (int k = 3; k <= kDegree; ++k) c[11 + k - 3] = k <= degree ? float(coef[k]) : 0.f;
    }
    v[kCentres] = float(m);
    v[kSpan] = v[kSpan + 1] = 0;
    for (int j = 0; j < m; ++j) {
      const float* c = v + kCentre + j * kCentreSlots;
      v[kSpan] = j ? std::fmin(v[kSpan], c[2]) : c[2];
      v[kSpan + 1] = j ? std::fmax(v[kSpan + 1], c[3]) : c[3];
    }
  }

  // x A(u) c for the set k, u = beta x0 (x is x0 or x0 scaled by a power of two).
  template <class V>
  AK_HD static V product(V x, TwoProduct<V> u, const float* k, const Params& p) {
    if (k[2] == 0.f) return V(k[0]) * x;  // beta = 0: a line
    auto f2 = u.hi > V(p.v[kSplit]);
    V m = V(k[2]) * x, zh = u.hi + u.hi, zl = u.lo + u.lo, c = V(k[0]);
    if (any_true(f2)) {
      V sign = select(f2, V(-1.f), V(1.f));
      m = m * sign;
      zh = zh * sign;
      zl = zl * sign;
      c = select(f2, V(k[1]), c);
    }
    V tail = mul_sigmoid<true>(m, zh, zl);
    V y = select(c == V(0.f), tail, fmadd(c, x, tail));  // 0 x + -0 would be +0
    V d = (u.hi - V(p.v[kRoot])) + (u.lo - V(p.v[kRootLo]));
    auto near = absv(d) <= V(kTanhSmall);
    if (!any_true(near)) return y;
    // t = tanh(u - u0) as a pair (1 / (1 - alpha t) amplifies its error by up to 2.7)
    TwoProduct<V> t = near_root_tanh(u, p);
    V alpha(p.v[kAlpha]);
    TwoProduct<V> at = two_product(alpha, t.hi);
    V num = fmadd(V(k[3]), t.hi, V(k[3]) * t.lo);
    return select(near, mul_div_1p<kLowU>(x, num, -at.hi, -fmadd(alpha, t.lo, at.lo)), y);
  }

  // tanh(u - u0) within 0.05 ulp for |u - u0| <= 0.75, u and u0 as float pairs.
  template <class V>
  AK_HD static TwoProduct<V> near_root_tanh(TwoProduct<V> u, const Params& p) {
    TwoProduct<V> dd = two_sum(u.hi, -V(p.v[kRoot]));
    V rest = dd.lo + (u.lo - V(p.v[kRootLo]));
    V dh = dd.hi + rest;
    return tanh_small_pair(dh, (dd.hi - dh) + rest);
  }

  // gamma x A(u) or x A(u) (set kOne), with the overflow scaling, tiny x, ±0.
  template <class V>
  AK_HD static V value(V x, const Params& p, int set, float scale) {
    const float* k = p.v + set;
    TwoProduct<V> u = two_product(V(p.v[kBeta]), x);
    auto big = absv(x) > V(p.v[kBig]);
    V y;
    if (!any_true(big)) {
      y = product(x, u, k, p);
    } else {
      y = product(select(big, x * V(0x1p-64f), x), u, k, p);
      y = select(big, y * V(0x1p64f), y);
    }
    // |x| < small (every ±0 and subnormal x): the first two terms, with the sign of the result
    V y0 = p.v[kAlpha] == 0.f ? (V(0.5f * k[2]) * x) * u.hi
                              : (V(k[4]) * x) * fmadd(u.hi, V(p.v[kInvAlpha]), V(1.f));
    if (k[2] != 0.f) y = select(absv(x) < V(p.v[kSmall]), y0, y);  // beta = 0: y is exact
    if (scale == 0.f) y = minv(V(3.40282347e38f), maxv(V(-3.40282347e38f), y));  // NaN stays
    return scale != 1.f ? y * V(scale) : y;
  }

  // alpha = 1, 0 < |gamma| <= 1/2 (kPlain; the defaults): gamma 2x s(2 beta x) alone. The CPU
  // loops pick these once per call (AptxPlain); forward and backward take them too.
  template <class V>
  AK_HD static V plain_forward(V x, const Params& p) {
    if (exact_multiplier(p.v[kTwoBeta])) return plain_exact_forward<false>(x, p);
    TwoProduct<V> z = two_product(V(p.v[kTwoBeta]), x);
    return mul_sigmoid_fast<true>(V(p.v[kScaled + 2]) * x, z.hi, z.lo);
  }
  // 2 beta a power of two (the defaults): 2 beta x is exact. kTied: |2 beta| <= 2^70 |c|
  // (plain_tied), as mul_sigmoid_fast's kTied asks.
  template <bool kTied, class V>
  AK_HD static V plain_exact_forward(V x, const Params& p) {
    return mul_sigmoid_fast<false, kTied>(V(p.v[kScaled + 2]) * x, V(p.v[kTwoBeta]) * x);
  }
  AK_HD static bool plain_tied(const Params& p) {
    return exact_multiplier(p.v[kTwoBeta]) &&
           absv(p.v[kTwoBeta]) <= 0x1p70f * absv(p.v[kScaled + 2]);
  }
  template <class V>
  AK_HD static V plain_backward(V x, V dy, const Params& p) {
    return V(p.v[kScaled + 2]) * swish_slope(V(p.v[kTwoBeta]) * x) * dy;
  }

  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    if (p.v[kPlain] != 0.f) return plain_forward(x, p);
    const bool zero_gamma = p.v[kGamma] == 0.f;
    V y = value(x, p, zero_gamma ? kOne : kScaled, p.v[kScale]);
    y = select(x == V(inf_value()), V(p.v[kLimits]), y);
    y = select(x == V(-inf_value()), V(p.v[kLimits + 1]), y);
    if (p.v[kHugeTail] == 0.f || p.v[kHugeGamma] == 0.f) return y;
    return huge_tail<false>(two_product(V(p.v[kBeta]), x), y, x, p);
  }
  // f' = gamma [A(u) + u sech^2 u]: within the near-root band A (as in product) + u sech^2 u,
  // sech^2 u = 4 s(2u) s(-2u); elsewhere gamma [(alpha - 1) + 2 slope(2u)] (F1) or
  // gamma [(alpha + 1) - 2 slope(-2u)] (F2), slope(z) = d/dz [z s(z)] at the exact 2 beta x
  // (swish_slope_precise with the product's low part), so that the only cancellation is against
  // alpha -+ 1, carried exactly; F2 where slope(2u) > (1 + alpha)/2, where its terms are the
  // smaller.
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    if (p.v[kPlain] != 0.f) return plain_backward(x, dy, p);
    const float* k = p.v + kOne;
    TwoProduct<V> u = two_product(V(p.v[kBeta]), x);
    V z = u.hi + u.hi, zlo = u.lo + u.lo;
    auto f2 = z > V(p.v[kSlopeSplit]);
    // alpha -+ 1 as c + its rounding, the rounding folded into the slope term (one fused step)
    V two(k[2]), c = select(f2, V(k[1]), V(k[0]));
    V c_lo = select(f2, V(-0.5f * p.v[kOneLo + 1]), V(0.5f * p.v[kOneLo]));
    V slope = swish_slope_precise(select(f2, -z, z), select(f2, -zlo, zlo));
    V g = fmadd(select(f2, -two, two), slope + c_lo, c);
    V d = (u.hi - V(p.v[kRoot])) + (u.lo - V(p.v[kRootLo]));
    auto near = absv(d) <= V(kTanhSmall);
    if (any_true(near)) {
      // tanh u = (t - alpha) / (1 - alpha t), so A + u sech^2 u = k N / (1 - alpha t)^2 with
      // N = (t + u) - t^2 (alpha + u): the zeros of f' are where N cancels, so t, u - u0, t + u
      // and t^2 are carried as float pairs there (t^2 as one rounding cost 3.3 ulp at the band's
      // edges), the leading terms fused.
      V alpha(p.v[kAlpha]);
      TwoProduct<V> t = near_root_tanh(u, p);
      TwoProduct<V> at = two_product(alpha, t.hi);
      TwoProduct<V> den = two_sum(V(1.f), -at.hi);  // 1 - alpha t = den.hi + den.lo + lo
      V den_lo = den.lo - fmadd(alpha, t.lo, at.lo);
      TwoProduct<V> au = two_sum(alpha, u.hi);
      TwoProduct<V> t2 = two_product(t.hi, t.hi);  // t^2 = t2.hi + t2_lo
      V t2_lo = fmadd(t.hi + t.hi, t.lo, t2.lo);
      TwoProduct<V> tu = two_sum(t.hi, u.hi);
      V rest = fmadd(-t2_lo, au.hi, fmadd(-t2.hi, au.lo + u.lo, tu.lo + (u.lo + t.lo)));
      V n = fmadd(-t2.hi, au.hi, tu.hi) + rest;  // the leading terms cancel in one rounding
      // k n / den^2 with the product, the square and the quotient carried exactly to one rounding
      TwoProduct<V> kn = two_product(V(k[3]), n);
      TwoProduct<V> d2 = two_product(den.hi, den.hi);
      V d2_lo = fmadd(V(2.f) * den.hi, den_lo, d2.lo);
      V inv = V(1.f) / d2.hi;
      V q = kn.hi * inv;
      V residual = (fmadd(-q, d2.hi, kn.hi) + kn.lo) - q * d2_lo;
      g = select(near, fmadd(residual, inv, q), g);
    }
    if (p.v[kCentres] != 0.f && any_true((u.hi >= V(p.v[kSpan])) & (u.hi <= V(p.v[kSpan + 1]))))
      for (int j = 0; j < int(p.v[kCentres]); ++j)
        g = series(u, g, p.v + kCentre + j * kCentreSlots);
    V h = g;
    g = V(p.v[kGamma]) * g;
    g = select(x == V(inf_value()), V(p.v[kLimits + 2]), g);
    g = select(x == V(-inf_value()), V(p.v[kLimits + 3]), g) * dy;
    if (p.v[kHugeGamma] == 0.f) return g;
    if (p.v[kHugeOverflow] != 0.f) g = overflowed(x, h, g, dy, p);
    if (p.v[kHugeTail] == 0.f) return g;
    return huge_tail<true>(u, g, dy, p);
  }
  // Where gamma f'/gamma overflowed, |dy| < 1 may bring f' dy back: (m (f'/gamma) dy) 2^k.
  template <class V>
  AK_HD static V overflowed(V x, V h, V g, V dy, const Params& p) {
    h = select(x == V(inf_value()), V(p.v[kHugeLimits]), h);
    h = select(x == V(-inf_value()), V(p.v[kHugeLimits + 1]), h);
    V alt = ((V(p.v[kHugeGamma]) * h) * dy) * V(p.v[kHugeScale]);
    return select(absv(V(p.v[kGamma]) * h) > V(3.40282347e38f), alt, g);
  }
  // alpha = +-1, |gamma| >= 2^24, far out (z = +-2u in [-190, -80], e^z < 2^-115): f/gamma =
  // +-2 x e^z and f'/gamma = +-2 (1 + z) e^z, below 2^-126 from z = -87 on while f and f' need
  // not be: 2 m w p (w = x, or 1 + z with z's low part), e^z = p 2^k, gamma = m 2^kg, scaled by
  // 2^(k + kg) once (and times dy); y elsewhere (below z = -190, |f|, |f'| < 2^-130 for every
  // gamma).
  template <bool kSlope, class V>
  AK_HD static V huge_tail(TwoProduct<V> u, V y, V x_or_dy, const Params& p) {
    V sign(p.v[kHugeTail]);
    V zs = sign * (u.hi + u.hi), zsl = sign * (u.lo + u.lo);
    auto tail = (zs < V(-80.f)) & (zs >= V(-190.f));
    if (!any_true(tail)) return y;
    ExpParts<V> e = exp_in_range<true>(maxv(zs, V(-190.f)), zsl);
    V kg(float((as_int(p.v[kHugeScale]) >> 23) - 127));
    ExpParts<V> at = {e.p, e.k + kg, pow2i(maxv(e.k + kg, V(-127.f))), e.pm1};
    V m = V(2.f * p.v[kHugeGamma]) * sign;
    if constexpr (kSlope)
      return select(tail, scale((m * ((V(1.f) + zs) + zsl)) * e.p, at) * x_or_dy, y);
    else
      return select(tail, scale((m * x_or_dy) * e.p, at), y);
  }
  // f'/gamma about a centre c (series_slots) where u is in its interval, else g: the Taylor
  // series in d = u - C (a float pair: u = beta x is one), K3 and above in float (Horner), the last
  // three steps in float pairs, so that K0 + K1 d + K2 d^2 keep what cancels between them.
  template <class V>
  AK_HD static V series(TwoProduct<V> u, V g, const float* c) {
    auto near = (u.hi >= V(c[2])) & (u.hi <= V(c[3]));
    if (!any_true(near)) return g;
    // d exact to a few units of 2^-48 d: u.hi - C.hi and u.lo - C.lo each as a pair
    TwoProduct<V> dd = two_sum(u.hi, -V(c[0]));
    TwoProduct<V> dr = two_sum(u.lo, -V(c[1]));
    TwoProduct<V> ds = two_sum(dd.hi, dr.hi);
    V rest = ds.lo + (dd.lo + dr.lo);
    V dh = ds.hi + rest;
    V dl = rest - (dh - ds.hi);
    const int degree = int(c[10]);
    V th = V(c[11 + degree - 3]);
    for (int k = degree - 1; k >= 3; --k) th = fmadd(th, dh, V(c[11 + k - 3]));
    V tl(0.f);
    for (int k = 2; k >= 0; --k) {  // (th, tl) = K_k + d (th, tl)
      TwoProduct<V> m = two_product(dh, th);
      V m_lo = fmadd(dh, tl, fmadd(dl, th, m.lo));
      TwoProduct<V> s = two_sum(V(c[4 + 2 * k]), m.hi);
      V lo = s.lo + (V(c[5 + 2 * k]) + m_lo);
      th = s.hi + lo;
      tl = lo - (th - s.hi);
    }
    return select(near, th, g);
  }

  // d/dalpha = gamma x; d/dbeta = gamma x^2 (1 - t^2) = 4 gamma x^2 s(2u) s(-2u);
  // d/dgamma = x (alpha + t), t = tanh(beta x)
  template <class V>
  AK_HD static void param_terms(V x, V dy, const Params& p, V* t) {
    alpha_beta_terms(x, dy, V(2.f) * V(p.v[kBeta]), V(p.v[kGamma]), t);
    t[2] = value(x, p, kOne, 1.f) * dy;
  }
  // t[0] = d/dalpha dy, t[1] = d/dbeta dy (b2 = 2 beta, exact)
  template <class V>
  AK_HD static void alpha_beta_terms(V x, V dy, V b2, V gamma, V* t) {
    V z = b2 * x;
    SigmoidPair<V> sp = sigmoid_pair(z);
    V dbeta = V(4.f) * gamma * (x * sp.s) * (x * sp.sc) * dy;
    t[0] = gamma * x * dy;
    t[1] = select(absv(z) > V(kExpUnderflow), V(0.f) * dy, dbeta);
  }

  // (alpha - 1) c x + 2c x s(2 beta x): c = 1 gives (alpha + tanh(beta x)) x, c = gamma aptx.
  // The layer's weights are any floats, and the sigmoid clamps its argument, which would turn a
  // NaN beta into a number: every value that depends on beta takes its NaN explicitly.
  template <class V>
  AK_HD static V forward_with(V x, V a1, V b2, V c) {
    TwoProduct<V> z = two_product(b2, x);
    V tail = mul_sigmoid<true>((c + c) * x, z.hi, z.lo);
    V y = select(a1 == V(0.f), tail, fmadd(a1 * c, x, tail));  // 0 * Inf must not be NaN
    return select(is_nan(b2), b2, y);
  }
  // f' = gamma [(alpha - 1) + 2 s(z)(1 + z s(-z))], z = 2 beta x
  template <class V>
  AK_HD static V backward_with(V x, V dy, V a1, V b2, V gamma) {
    return gamma * fmadd(V(2.f), swish_slope(b2 * x), select(is_nan(b2), b2, a1)) * dy;
  }
  template <class V>
  AK_HD static void param_terms_with(V x, V dy, V a1, V b2, V gamma, V* t) {
    alpha_beta_terms(x, dy, b2, gamma, t);
    t[1] = select(is_nan(b2), b2, t[1]);
    t[2] = forward_with(x, a1, b2, V(1.f)) * dy;
  }
};

// Aptx where prepare set kPlain, as its own kernel: the loops then carry no other path.
struct AptxPlainExact;
struct AptxPlain {
  using Plain = AptxPlainExact;
  AK_HD static bool plain(const Params& p) { return Aptx::plain_tied(p); }
  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    return Aptx::plain_forward(x, p);
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    return Aptx::plain_backward(x, dy, p);
  }
};

// AptxPlain at a power-of-two 2 beta and a factor not too small beside it (the defaults).
struct AptxPlainExact {
  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    return Aptx::plain_exact_forward<true>(x, p);
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    return Aptx::plain_backward(x, dy, p);
  }
};

}  // namespace AK_ISA_NS
}  // namespace ak
