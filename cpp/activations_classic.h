// The functions people weigh Mish against: gelu, geluTanh, sigmoid, tanh, softplus, elu, selu,
// leakyRelu, relu6, hardSigmoid. Each is written once over V, with the same shape and contract
// as cpp/activations.h (forward, backward, param_terms for trainable parameters).
#pragma once

#include "activations.h"
#include "math_extra.h"

namespace ak {
inline namespace AK_ISA_NS {

// gelu(x) = x Phi(x), Phi the normal CDF. With t = |x| and Q(t) = Phi(-t):
//   |x| < 1:  Phi(x) = 1/2 + x E(x^2), E a polynomial (Phi(-1) = 0.159: no worse than 3x
//             cancellation in 1/2 + x E);
//   |x| >= 1: Q(t) = e^(-t^2/2) S(t) / t, S(t) = t e^(t^2/2) Q(t) in [0.26, 0.40] as a polynomial
//             in 1/(1 + t). Then x Q = -e^(-t^2/2) S for x < 0 (relative accuracy down to where
//             the result underflows, x = -13.2) and x (1 - Q) = x - e^(-t^2/2) S for x > 0.
// e^(-t^2/2) takes t^2 exactly (as hi + lo), so the tail keeps its last bits.
// The polynomials are minimax fits (relative error 1e-8 for S on [1, 14], 3e-9 for E against
// Phi(-|x|) on [0, 1]) made for this file with numpy against scipy's erfcx and erf.
struct Gelu {
  static constexpr SlopeZone kSlopeCancels{-1.25f, -0.5f};  // gelu'(-0.7518) = 0
  static constexpr float kInvSqrt2Pi = 0.398942280401432678f;

  template <class V>
  struct Parts {
    V t;               // min(|x|, 14)
    TwoProduct<V> t2;  // t^2, exactly
    ExpParts<V> e;     // e^(-t^2/2)
    V s;               // S(t), for t >= 1
    V ep;              // E(x^2), for |x| < 1
  };

  template <class V>
  AK_HD static Parts<V> parts(V x) {
    Parts<V> q;
    q.t = minv(absv(x), V(14.f));
    q.t2 = two_product(q.t, q.t);
    q.e = exp_in_range<true>(V(-0.5f) * q.t2.hi, V(-0.5f) * q.t2.lo);  // -t^2/2 in [-98, 0]
    // u = 1/(1 + t) with its rounding error: 1 + t exactly as den + den_lo (t >= 1), then
    // one Newton step for the quotient.
    V den = V(1.f) + q.t;
    V den_lo = V(1.f) - (den - q.t);
    V u = recip(den);
    V u_lo = (fmadd(-u, den, V(1.f)) - u * den_lo) * u;
    V b = (u - V(0.283333331f)) + u_lo;
    V s = fmadd(b, V(1.554057884e+01f), V(5.475361824e+00f));
    s = fmadd(s, b, V(-9.783198357e+00f));
    s = fmadd(s, b, V(2.704761982e+00f));
    s = fmadd(s, b, V(1.422293544e+00f));
    s = fmadd(s, b, V(-1.774063468e+00f));
    s = fmadd(s, b, V(5.553140044e-01f));
    s = fmadd(s, b, V(4.892963469e-01f));
    s = fmadd(s, b, V(-5.579046011e-01f));
    s = fmadd(s, b, V(-3.317333162e-01f));
    q.s = fmadd(s, b, V(3.541213274e-01f));
    V v = q.t2.hi;  // x^2 where |x| < 1, the only place ep is used
    V ep = fmadd(v, V(-8.171795344e-06f), V(1.150239696e-04f));
    ep = fmadd(ep, v, V(-1.188023831e-03f));
    ep = fmadd(ep, v, V(9.974163957e-03f));
    ep = fmadd(ep, v, V(-6.649053842e-02f));
    q.ep = fmadd(ep, v, V(3.989422917e-01f));
    return q;
  }

  template <class V>
  AK_HD static V forward(V x, const Params&) {
    Parts<V> q = parts(x);
    V es = scale_down(q.e.p * q.s, q.e);  // t Q(t) (p S(t) < 1), subnormal where it must be
    V y = select(x < V(0.f), -es, x - es);
    y = select(absv(x) < V(1.f), x * fmadd(x, q.ep, V(0.5f)), y);
    return select(x < V(-14.f), V(-0.f), y);  // |x Phi(x)| < 2^-137 there; NaN passes through
  }

  // gelu' = Phi(x) + x phi(x): 1/2 + x (E + phi(x)) for |x| < 1; for |x| >= 1 with
  // D = (S - t^2/sqrt(2 pi)) / t: e^(-t^2/2) D for x < 0, 1 - e^(-t^2/2) D for x > 0.
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    Parts<V> q = parts(x);
    V ev = q.e.value();
    // the numerator is below -0.13 for t >= 1, where d is used
    V d = div_rn_plus(fmadd(V(-kInvSqrt2Pi), q.t2.hi, q.s) - V(kInvSqrt2Pi) * q.t2.lo, q.t);
    V g = select(x < V(0.f), ev * d, V(1.f) - ev * d);
    // NaN takes the |x| < 1 form, which keeps it (t, clamped to 14, does not)
    g = select(absv(x) >= V(1.f), g, fmadd(x, fmadd(V(kInvSqrt2Pi), ev, q.ep), V(0.5f)));
    return g * dy;
  }
};

// geluTanh(x) = x s(z), z = 2 sqrt(2/pi) (x + 0.044715 x^3) (tanh(w) = 2 s(2w) - 1). z is formed
// in double-float (hi + lo), because x e^z in the left tail (z down to -104) needs z to 2^-31.
// z is formed from x clamped to [-16, 16]: |z| > 174 beyond, where both passes have saturated,
// and |z| < 320, so its low part stays below 2^-15 where the exp's argument is clamped to -174.
struct GeluTanh {
  static constexpr SlopeZone kSlopeCancels{-2.f, -0.5f};  // geluTanh'(-0.7525) = 0
  template <class V>
  AK_HD static V clamped(V x) {
    return maxv(V(-16.f), minv(V(16.f), x));  // keeps NaN (x86 min and max give the second operand)
  }
  template <class V>
  AK_HD static TwoProduct<V> arg(V x) {
    V xc = clamped(x);
    const V c_hi(1.595769167e+00f), c_lo(-4.534068054e-08f);   // 2 sqrt(2/pi)
    const V ca_hi(7.135481387e-02f), ca_lo(2.398832466e-09f);  // 2 sqrt(2/pi) 0.044715
    TwoProduct<V> s = two_product(xc, xc);
    TwoProduct<V> t = two_product(ca_hi, s.hi);
    t.lo = t.lo + fmadd(ca_hi, s.lo, ca_lo * s.hi);
    TwoProduct<V> u = two_sum(c_hi, t.hi);
    u.lo = u.lo + (c_lo + t.lo);
    TwoProduct<V> z = two_product(xc, u.hi);
    z.lo = fmadd(xc, u.lo, z.lo);
    V hi = z.hi + z.lo;
    return {hi, z.lo - (hi - z.hi)};
  }

  // x / (1 + e) for z >= 0, x e / (1 + e) for z < 0, e = e^-|z| = p 2^k: the 2^k is applied last,
  // so that x e^z keeps its bits where e^z alone would be subnormal.
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    TwoProduct<V> z = arg(x);
    auto neg = z.hi < V(0.f);
    // z's low part is under 2^-15 (|x| <= 16 in arg), so beyond |z| = 174 it is kept too
    ExpParts<V> e = exp_minus_abs<true, true>(z.hi, z.lo);
    V q = div_rn(select(neg, x * e.p, x), V(1.f) + e.value());
    // ±0: z = +0 and q = x / 2, with its sign; NaN: z is NaN
    // where scale_down's result is used, q 2^k = |geluTanh(x)| < 0.2: its first step is finite
    return select(z.hi < V(-kExpUnderflow), zero_with_sign(x), select(neg, scale_down(q, e), q));
  }

  // d/dx [x s(z)] = s(z) (1 + w s(-z)), w = x z' = 2 sqrt(2/pi) x (1 + 3 0.044715 x^2); over one
  // denominator as swish_slope: z >= 0: (1 + e + w e) / (1 + e)^2, z < 0: e ((1 + w) + e) / (1 +
  // e)^2.
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    TwoProduct<V> zz = arg(x);
    V z = zz.hi;
    V xc = clamped(x);
    V w = V(1.595769167e+00f) * xc * fmadd(V(0.134145f), xc * xc, V(1.f));
    // e^-|z| with z's low part, as the forward: z reaches -174 in the left tail, where its
    // rounding alone would cost the slope |z| 2^-24 of itself. Past |z| = 87.7, e is 0, so g is
    // the limits there: 1 on the right, and on the left -0 (0 times the negative 1 + w), as the
    // slope is negative out there.
    V e = exp_minus_abs<true, true>(zz.hi, zz.lo).value();
    V ep1 = V(1.f) + e;
    V num = select(z < V(0.f), e * ((V(1.f) + w) + e), fmadd(w, e, ep1));
    return div_rn(num, ep1 * ep1) * dy;  // NaN: z is NaN
  }
};

// sigmoid(x) = s(x) = 1 / (1 + e^-x); sigmoid' = s(x) s(-x).
struct Sigmoid {
  static constexpr SlopeZone kSlopeCancels = kCancelsNowhere;
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    return logistic(x);
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    return logistic_slope(x) * dy;
  }
};

// tanh(x) = sign(x) (-m) / (2 + m) with m = expm1(-2|x|): no 1 - 2/(1 + e^2x) cancellation near
// 0. |x| < 2^-13 gives x (tanh x = x (1 - x^2/3), within half an ulp); tanh' = 4 s(2x) s(-2x).
struct Tanh {
  static constexpr SlopeZone kSlopeCancels = kCancelsNowhere;
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    V em = expm1_nonpos(V(-2.f) * absv(x));  // in (-1, 0]
    V t = div_rn_plus(-em, V(2.f) + em);     // -em >= 2^-12 where t is used
    t = select(x < V(0.f), -t, t);
    return select(absv(x) >= V(0x1p-13f), t, x);  // also ±0, subnormals and NaN
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    return V(4.f) * logistic_slope(V(2.f) * x) * dy;
  }
};

// softplus(x) = log(1 + e^(beta x)) / beta, exact for every x (no threshold switch). With
// z = beta x (kept exact as hi + lo) and l = log1p(e^-|z|): l / beta for z <= 0, x + l / beta
// for z > 0; both sums are of like signs. Where e^-|z| < 2^-100, l = e^-|z| and l / beta is
// scaled last, so that a small beta does not lose a subnormal e^z. Params: v[0] = beta (!= 0),
// v[1] = 1/beta where that is exact (beta a power of two, 1 by default), else 0 (then divide).
struct SoftplusPlain;
struct Softplus {
  using Plain = SoftplusPlain;  // beta = 1 (the default)
  AK_HD static bool plain(const Params& p) { return p.v[0] == 1.f; }
  static constexpr SlopeZone kSlopeCancels = kCancelsNowhere;
  static constexpr float kSlopeAt[] = {1.f};
  static void prepare(const double* raw, float* v) {
    float beta = float(raw[0]);
    int exponent = 0;
    bool power_of_two = std::frexp(beta, &exponent) == (beta > 0 ? 0.5f : -0.5f);
    float inv = 1.f / beta;
    v[0] = beta;
    v[1] = power_of_two && std::isnormal(inv) ? inv : 0.f;
  }
  template <class V>
  AK_HD static V over_beta(V v, const Params& p) {
    return p.v[1] != 0.f ? v * V(p.v[1]) : v / V(p.v[0]);
  }
  // kUnit: beta = 1, so z = x with no low part and nothing to divide by (the same bits)
  template <bool kUnit, class V>
  AK_HD static V forward_at(V x, const Params& p) {
    TwoProduct<V> z = kUnit ? TwoProduct<V>{x, V(0.f)} : two_product(V(p.v[0]), x);
    auto neg = z.hi <= V(0.f);
    ExpParts<V> e = exp_minus_abs<!kUnit>(z.hi, z.lo);
    // below 2^-100 l = e^-|z| = p 2^k, and log1p's u is normal wherever it counts
    auto tail = e.k < V(-100.f);
    V lb = log1p_unit<true>(e.value());
    if constexpr (kUnit) {
      lb = select(tail, scale_down(e.p, e), lb);
    } else {
      lb = over_beta(select(tail, e.p, lb), p);  // one division
      lb = select(tail, scale(lb, e), lb);
    }
    return select(neg, lb, x + lb);  // NaN: x + lb
  }
  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    return forward_at<false>(x, p);
  }
  // softplus' = s(beta x); the rounding of beta x costs at most |z| e^z 2^-24 < 2^-24 absolute.
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    return select(is_nan(x), x, logistic(V(p.v[0]) * x)) * dy;
  }
  // d/dbeta = (z s(z) - softplus(z)) / beta^2, z = beta x; the numerator is even in z and equals
  // -(|z| s(-|z|) + log1p(e^-|z|)): two negative terms, no cancellation.
  template <class V>
  AK_HD static void param_terms(V x, V dy, const Params& p, V* t) {
    V beta(p.v[0]);
    V a = absv(beta * x);
    V e = exp_value(-a);
    V num = -(a * e / (V(1.f) + e) + log1p_unit(e));
    t[0] = select(a > V(kExpUnderflow), V(0.f) * dy, num / beta / beta * dy);
  }
};

// Softplus at beta = 1, as its own kernel.
struct SoftplusPlain {
  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    return Softplus::forward_at<true>(x, p);
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    return Softplus::backward(x, dy, p);
  }
};

// elu(x) = x for x > 0, alpha (e^x - 1) otherwise; elu'(x) = alpha e^x for x <= 0 (elu'(0) = alpha,
// PyTorch). minv(0, x) keeps a NaN x (min returns its second operand then). Params: v[0] = alpha.
struct Elu {
  static constexpr SlopeZone kSlopeCancels = kCancelsNowhere;
  static constexpr float kSlopeAt[] = {1.f};
  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    return select(x > V(0.f), x, V(p.v[0]) * expm1_nonpos(minv(V(0.f), x)));
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    V g = select(x > V(0.f), V(1.f), V(p.v[0]) * exp_value(minv(V(0.f), x)));
    return select(is_nan(x), x, g) * dy;
  }
  // d/dalpha = e^x - 1 for x <= 0, 0 for x > 0
  template <class V>
  AK_HD static void param_terms(V x, V dy, const Params&, V* t) {
    t[0] = select(x > V(0.f), V(0.f), expm1_nonpos(minv(V(0.f), x))) * dy;
  }
};

// selu(x) = lambda elu(x, alpha), alpha = 1.6732632423543772, lambda = 1.0507009873554805
// (Klambauer et al. 2017); selu'(0) = lambda alpha as PyTorch.
// lambda x takes lambda as hi + lo: float(lambda) alone is 3.3e-8 too large, enough to overflow
// lambda x near FLT_MAX / lambda where the exact product still rounds to FLT_MAX.
struct Selu {
  static constexpr SlopeZone kSlopeCancels = kCancelsNowhere;
  static constexpr float kLambda = 1.0507009873554805f;
  static constexpr float kLambdaLo = -3.4792652e-8f;  // 1.0507009873554805 - kLambda
  static constexpr float kLambdaAlpha = 1.7580993408473768f;
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    V right = fmadd(x, V(kLambda), x * V(kLambdaLo));
    right = select(absv(x) > V(3.40282347e38f), x, right);  // +Inf (Inf - Inf would be NaN)
    return select(x > V(0.f), right, V(kLambdaAlpha) * expm1_nonpos(minv(V(0.f), x)));
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    V g = select(x > V(0.f), V(kLambda), V(kLambdaAlpha) * exp_value(minv(V(0.f), x)));
    return select(is_nan(x), x, g) * dy;
  }
};

// leakyRelu(x) = x for x > 0, slope x otherwise; leakyRelu'(0) = slope (PyTorch). A trainable
// slope is PReLU. Params: v[0] = slope, v[1] = the limit at -Inf (-Inf, +Inf, or a zero when
// slope is one: not 0 * Inf).
struct LeakyRelu {
  static void prepare(const double* raw, float* v) {
    float slope = float(raw[0]);
    v[0] = slope;
    // slope * -Inf, with 0 * -Inf taken as its limit: a zero with the sign of -slope
    v[1] = slope > 0 ? -INFINITY : slope < 0 ? INFINITY : std::copysign(0.f, -slope);
  }
  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    V y = select(x > V(0.f), x, V(p.v[0]) * x);
    return select(x < V(-3.40282347e38f), V(p.v[1]), y);  // x = -Inf
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    V g = select(x > V(0.f), V(1.f), V(p.v[0]));
    return select(is_nan(x), x, g) * dy;
  }
  // d/dslope = x for x <= 0, 0 for x > 0
  template <class V>
  AK_HD static void param_terms(V x, V dy, const Params&, V* t) {
    t[0] = select(x > V(0.f), V(0.f), x) * dy;
  }
};

// relu6(x) = min(max(x, 0), 6) (MobileNet); the gradient is 1 on (0, 6) and 0 elsewhere, at 0
// and 6 too (PyTorch). min and max return their second operand for a NaN, which keeps it.
struct Relu6 {
  static constexpr bool kExact = true;  // selects x, dy, 0 or 6: the float32 result is exact
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    return minv(V(6.f), maxv(V(0.f), x)) + V(0.f);  // + 0: relu6(-0) = +0, as relu
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    V g = select(x > V(0.f), dy, select(is_nan(x), x, V(0.f)));
    return select(x >= V(6.f), V(0.f), g);
  }
};

// hardSigmoid(x) = relu6(x + 3) / 6 (PyTorch's); the gradient is 1/6 on (-3, 3) and 0 elsewhere,
// at -3 and 3 too. x + 3 and the product by float(1/6) round once each: within 1.5 ulp.
struct HardSigmoid {
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    return minv(V(6.f), maxv(V(0.f), x + V(3.f))) * V(1.f / 6.f);
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    V g = select(x > V(-3.f), dy * V(1.f / 6.f), select(is_nan(x), x, V(0.f)));
    return select(x >= V(3.f), V(0.f), g);
  }
};

}  // namespace AK_ISA_NS
}  // namespace ak
