// The pieces the classic activations (activations_classic.h) need beyond math.h: expm1 and
// log1p on the ranges they use, the logistic function and its slope (two_sum is math.h's).
// Written once over V, as math.h; no libm.
//
// Contract (checked through the activations by test/accuracy.test.ts and `npm run accuracy`):
//   expm1_nonpos(x): e^x - 1 within 1.5 ulp for x <= 0; x itself for |x| < 2^-25, ±0 and NaN.
//   log1p_unit(u): log(1 + u) within 1.5 ulp for u in [0, 1].
//   logistic(z): s(z) within 2 ulp (0 below 2^-126).
//   logistic_slope(z): s(z) s(-z) = e / (1 + e)^2, e = e^-|z|, within 2 ulp (0 below 2^-126).
#pragma once

#include "math.h"

namespace ak {
inline namespace AK_ISA_NS {

// e^x - 1 for x <= 0 (or NaN), without the cancellation of e^x - 1 near 0: with x = k ln2 + r,
// |r| <= ln2/2, e^x - 1 = 2^k expm1(r) + (2^k - 1), where 2^k - 1 is exact and expm1(r) is a
// series that starts at r. Below x = -30 the result rounds to -1.
template <class V>
AK_HD V expm1_nonpos(V x) {
  V xc = maxv(x, V(-30.f));  // also maps NaN to -30: the last select restores it
  auto [biased, k, r] = reduce_ln2(xc);
  // expm1(r) = r + r^2 q(r), q = 1/2 + r/6 + ... + r^6/8!: truncation < 2e-9 relative.
  V q = fmadd(r, V(1.f / 40320.f), V(1.f / 5040.f));
  q = fmadd(q, r, V(1.f / 720.f));
  q = fmadd(q, r, V(1.f / 120.f));
  q = fmadd(q, r, V(1.f / 24.f));
  q = fmadd(q, r, V(1.f / 6.f));
  q = fmadd(q, r, V(0.5f));
  V em = fmadd(r * r, q, r);
  V two_k = pow2_biased(biased);  // k in [-43, 0]
  V y = fmadd(two_k, em, two_k - V(1.f));
  // |x| < 2^-25: e^x - 1 rounds to x; this also keeps -0 and NaN.
  return select(absv(x) >= V(0x1p-25f), y, x);
}

// log(1 + u) for u in [0, 1] (u = 0 gives +0): 2 atanh(f) = 2f + 2f^3 q(f^2) with
// f = u / (2 + u) in [0, 1/3]; q is a minimax fit (4.5e-9 relative to log1p, made for this file
// with numpy) of (atanh(f) - f) / f^3.
// kNormal: u is 0 or at least 2^-125 wherever the caller uses the result, so u/2 is exact.
template <bool kNormal = false, class V>
AK_HD V log1p_unit(V u) {
  constexpr unsigned kHalf = kPlusProduct | (kNormal ? kExactProduct : 0u);
  V f = mul_div_1p<kHalf>(u, V(0.5f), V(0.5f) * u);  // u / (2 + u) to half an ulp
  V f2 = f * f;
  V q = fmadd(f2, V(1.400318593e-01f), V(1.400154829e-01f));
  q = fmadd(q, f2, V(2.001071721e-01f));
  q = fmadd(q, f2, V(3.333320916e-01f));
  V f_2 = f + f;
  return fmadd(f_2, f2 * q, f_2);
}

// s(z) = 1/(1 + e) for z >= 0, e/(1 + e) for z < 0, e = e^-|z|: within 2 ulp, flushed to 0 where
// it is below 2^-126 (z < -87.3). NaN stays NaN. Cheaper than math.h's mul_sigmoid, which also
// multiplies by m exactly.
template <class V>
AK_HD V logistic(V z) {
  V e = exp_value(-absv(z));
  V s = div_rn_plus(select(z < V(0.f), e, V(1.f)), V(1.f) + e);
  return select(is_nan(z), z, s);
}

// s(z) s(-z) = e / (1 + e)^2 with e = e^-|z|: the derivative of the logistic sigmoid, and
// (times 4, at 2x) of tanh. Near z = 0 the quotient hardly depends on e's rounding; in the
// tails it is e (1 - 2e). NaN stays NaN.
template <class V>
AK_HD V logistic_slope(V z) {
  V e = exp_value(-absv(z));
  V d = V(1.f) + e;
  return select(is_nan(z), z, div_rn_plus(e, d * d));
}

}  // namespace AK_ISA_NS
}  // namespace ak
