// The math policy: exp and the sigmoid pieces every activation is built from, written once
// over V (float or a SIMD wrapper from simd/). No libm: the same polynomial runs on every path.
//
// Contract (checked by test/accuracy and `npm run accuracy`):
//   exp_parts(x, xlo): e^(x + xlo) = p * 2^k, error of p within 1 ulp, for x in [-174, 88].
//   mul_sigmoid(m, z, zlo): m * s(z + zlo) within 2.5 ulp for normal results, for all float m, z;
//     results below 2^-126 may be flushed toward zero.
#pragma once

#include "simd/scalar.h"

namespace ak {
inline namespace AK_ISA_NS {

// Beyond |z| = 174 the factor e^-|z| < 2^-251 makes m * e^-|z| zero for every finite m
// that matters (results under 2^-126 are allowed to flush), and keeps 2^k within two steps.
constexpr float kExpUnderflow = 174.f;

template <class V>
struct ExpParts {
  V p;                                         // e^r, r in [-ln2/2, ln2/2]
  V k;                                         // integral, in [-251, 127]
  V two_k;                                     // 2^k, or 0 where k < -126
  AK_HD V value() const { return p * two_k; }  // e^x, flushed to 0 below 2^-126
};

// e^(x + xlo) split as p * 2^k so callers can multiply by p first and scale once at the end:
// a product like x * e^x is then exact to the last bit even where e^x alone would be subnormal.
// xlo (|xlo| <= ulp(x)/2) carries the rounding of a product that formed x; kLow = false skips it.
template <bool kLow = false, class V>
AK_HD ExpParts<V> exp_parts(V x, V xlo = V(0.f)) {
  // Cody-Waite: ln2_hi has 15 significant bits, so x - k * ln2_hi is exact.
  const V minus_ln2_hi(-0.693145751953125f), minus_ln2_lo(-1.428606820309417e-6f);
  V xc = minv(maxv(x, V(-kExpUnderflow)), V(88.f));
  V k = round_nearest(xc * V(1.44269504088896341f));
  V r = fmadd(k, minus_ln2_lo, fmadd(k, minus_ln2_hi, xc));
  if constexpr (kLow) r = r + select(xc == x, xlo, V(0.f));  // a clamped x has no low part
  // Taylor series to degree 7: truncation error < 6e-9 relative on |r| <= 0.347.
  V p = fmadd(r, V(1.f / 5040.f), V(1.f / 720.f));
  p = fmadd(p, r, V(1.f / 120.f));
  p = fmadd(p, r, V(1.f / 24.f));
  p = fmadd(p, r, V(1.f / 6.f));
  p = fmadd(p, r, V(0.5f));
  p = fmadd(p, r, V(1.f));
  p = fmadd(p, r, V(1.f));
  return {p, k, pow2i(maxv(k, V(-127.f)))};
}

// v * 2^k: one multiply while every lane has k >= -126 (all normal inputs that matter), else
// two exact steps so that the only rounding is the last one.
template <class V>
AK_HD V scale(V v, const ExpParts<V>& e) {
  if (!any_true(e.k < V(-126.f))) return v * e.two_k;
  V k1 = maxv(e.k, V(-126.f));
  return v * pow2i(k1) * pow2i(e.k - k1);
}

// e^x, flushed to +0 below 2^-126; x <= 88.
template <class V>
AK_HD V exp_value(V x) {
  return exp_parts(x).value();
}

// a * b exactly, as hi + lo (lo is NaN where the product overflows: callers select around it).
template <class V>
struct TwoProduct {
  V hi, lo;
};
template <class V>
AK_HD TwoProduct<V> two_product(V a, V b) {
  V hi = a * b;
  return {hi, fmadd(a, b, -hi)};
}

// a b / (1 + u), u >= 0, within about half an ulp: the product and the sum are kept exact
// (error-free transformations) and the quotient gets one Newton step. Rounding them plainly
// costs up to 4 ulp where intermediates sit at the bottom of their binade. kLargeU: u may
// exceed 1 (then 1 + u is split the other way round).
template <bool kLargeU, class V>
AK_HD V mul_div_1p(V a, V b, V u) {
  TwoProduct<V> num = two_product(a, b);
  V den = V(1.f) + u;
  V den_lo = u - (den - V(1.f));
  if constexpr (kLargeU) den_lo = select(u > V(1.f), V(1.f) - (den - u), den_lo);
  V inv = V(1.f) / den;
  V q = num.hi * inv;
  V residual = (fmadd(-q, den, num.hi) + num.lo) - q * den_lo;
  return select(absv(q) <= V(3.40282347e38f), fmadd(residual, inv, q), q);  // Inf - Inf is NaN
}

// m * s(z + zlo), s the logistic sigmoid. One exp, one division, accurate in both tails.
template <bool kLow = false, class V>
AK_HD V mul_sigmoid(V m, V z, V zlo = V(0.f)) {
  auto neg = z < V(0.f);
  // e = e^-|z| in (0, 1]: s(z) = 1/(1+e) for z >= 0 and e/(1+e) for z < 0.
  ExpParts<V> e = exp_parts<kLow>(-absv(z), select(neg, zlo, -zlo));
  V q = mul_div_1p<false>(m, select(neg, e.p, V(1.f)), e.value());
  ExpParts<V> tail = {e.p, select(neg, e.k, V(0.f)), select(neg, e.two_k, V(1.f))};
  return select(z < V(-kExpUnderflow), zero_with_sign(m), scale(q, tail));
}

// s(z) and s(-z) = 1 - s(z), each without cancellation.
template <class V>
struct SigmoidPair {
  V s, sc;
};
template <class V>
AK_HD SigmoidPair<V> sigmoid_pair(V z) {
  auto neg = z < V(0.f);
  V e = exp_value(-absv(z));
  V inv = V(1.f) / (V(1.f) + e);
  V es = e * inv;
  return {select(neg, es, inv), select(neg, inv, es)};
}

// d/dx [x * s(c x)] = s(z) (1 + z s(-z)) with z = c x: the slope shared by swish, approxMish,
// linearSwish and aptx. Over one denominator, with e = e^-|z|:
//   z >= 0: (1 + e + z e) / (1 + e)^2      z < 0: e ((1 + z) + e) / (1 + e)^2
// The z < 0 form cancels only in (1 + z) + e, where 1 + z is exact, so the slope stays within
// 2^-24 absolute next to its zero (z = -1.2785) too. Saturates to 0 or 1 beyond |z| = 174.
template <class V>
AK_HD V swish_slope(V z) {
  V e = exp_value(-absv(z));
  V ep1 = V(1.f) + e;
  V num = select(z < V(0.f), e * ((V(1.f) + z) + e), fmadd(z, e, ep1));
  V slope = num / (ep1 * ep1);
  slope = select(z > V(kExpUnderflow), V(1.f), slope);
  return select(z < V(-kExpUnderflow), V(0.f), slope);
}

}  // namespace AK_ISA_NS
}  // namespace ak
