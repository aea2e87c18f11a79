// The math policy: exp and the sigmoid pieces every activation is built from, written once
// over V (float or a SIMD wrapper from simd/). No libm: the same polynomial runs on every path.
//
// Contract (checked by test/accuracy.test.ts and `npm run accuracy`):
//   exp_parts(x, xlo): e^(x + xlo) = p * 2^k, error of p within 1 ulp, for x in [-174, 88].
//   mul_sigmoid(m, z, zlo): m * s(z + zlo) within 2.5 ulp for normal results, for all float m, z;
//     results below 2^-126 may be flushed toward zero (a zero keeps the sign of m).
//   mul_sigmoid_fast, mul_sigmoid_left (z <= 0): the same within 2.7 ulp.
//   Every operation is correctly rounded (no reciprocal estimates), so every path gives the
//   same bits (test/paths.test.ts).
//   tanh_small_pair(d): tanh(d) for |d| <= 0.75 as hi + lo, within 0.05 ulp.
#pragma once

#include "simd/scalar.h"

namespace ak {
inline namespace AK_ISA_NS {

// Beyond |z| = 174 the factor e^-|z| < 2^-251 makes m * e^-|z| zero for every finite m
// that matters (results under 2^-126 are allowed to flush), and keeps 2^k within two steps.
constexpr float kExpUnderflow = 174.f;

AK_HD float inf_value() { return as_float(0x7f800000); }

template <class V>
struct ExpParts {
  V p;      // e^r, r in [-ln2/2, ln2/2]
  V k;      // integral, in [-251, 127]
  V two_k;  // 2^k, or 0 where k < -126
  V pm1;    // e^r - 1, rounded once: p = 1 + pm1 to 0.3 ulp (for products m p in one rounding)
  // e^x, flushed to 0 below 2^-126 (scale(p, *this) keeps the subnormals)
  AK_HD V value() const { return p * two_k; }
};

// x = k ln2 + r with k = x / ln2 rounded and |r| <= ln2/2, for |x| < 2^21 (Cody-Waite: ln2_hi has
// 15 significant bits, so x - k ln2_hi is exact). biased = k + kRoundMagic, the sum that rounded k,
// holds k in its low bits for pow2_biased.
template <class V>
struct Ln2Reduced {
  V biased, k, r;
};
template <class V>
AK_HD Ln2Reduced<V> reduce_ln2(V x) {
  const V minus_ln2_hi(-0.693145751953125f), minus_ln2_lo(-1.428606820309417e-6f);
  V biased = x * V(1.44269504088896341f) + V(kRoundMagic);
  V k = biased - V(kRoundMagic);
  return {biased, k, fmadd(k, minus_ln2_lo, fmadd(k, minus_ln2_hi, x))};
}

// e^(x + xlo) for x already in [-174, 88]: exp_parts without its clamp.
template <bool kLow = false, class V>
AK_HD ExpParts<V> exp_in_range(V x, V xlo = V(0.f)) {
  auto [biased, k, r] = reduce_ln2(x);
  if constexpr (kLow) r = r + xlo;
  // 1 + r + r^2 q(r), q of degree 4, fitted for the least relative error on |r| <= ln2/2:
  // 3.8e-9 with these float coefficients (Lawson's weighted least squares).
  V p = fmadd(r, V(0.001381461275741458f), V(0.008368710055947304f));
  p = fmadd(p, r, V(0.04166838899254799f));
  p = fmadd(p, r, V(0.1666652113199234f));
  p = fmadd(p, r, V(0.4999999403953552f));
  p = fmadd(p, r, V(1.f));
  // (the compiler leaves out what a caller does not use)
  return {fmadd(p, r, V(1.f)), k, pow2_biased(maxv(biased, V(kRoundMagic - 127.f))), p * r};
}

// e^(x + xlo) split as p * 2^k so callers can multiply by p first and scale once at the end:
// a product like x * e^x is then exact to the last bit even where e^x alone would be subnormal.
// xlo (|xlo| <= ulp(x)/2) carries the rounding of a product that formed x; kLow = false skips it.
template <bool kLow = false, class V>
AK_HD ExpParts<V> exp_parts(V x, V xlo = V(0.f)) {
  V xc = minv(maxv(x, V(-kExpUnderflow)), V(88.f));
  if constexpr (kLow)
    return exp_in_range<true>(xc, select(xc == x, xlo, V(0.f)));  // a clamped x has no low part
  else
    return exp_in_range(xc);
}

// e^-|z + zlo| as exp_parts gives it, for any z (NaN gives e^-174): -|z| needs no upper clamp,
// and where -|z| is clamped its low part is dropped. zlo: as exp_parts' xlo, for z.
// kSmallLow: |zlo| < 2^-15 for every z, so it is kept where -|z| is clamped too (2^k is 0 there,
// and p stays near 1), without the test.
template <bool kLow = false, bool kSmallLow = false, class V>
AK_HD ExpParts<V> exp_minus_abs(V z, V zlo = V(0.f)) {
  V a = -absv(z);
  V ac = maxv(a, V(-kExpUnderflow));
  if constexpr (!kLow) return exp_in_range(ac);
  V lo = select(z < V(0.f), zlo, -zlo);
  return exp_in_range<true>(ac, kSmallLow ? lo : select(ac == a, lo, V(0.f)));
}

// v * 2^k rounded once, where v 2^(k + 126) is finite (|v| < 2 and k <= 0, say): that product is
// then exact wherever the result is not 0, and one multiply by 2^-126 rounds it, as AVX-512's
// scalef rounds. Both steps are taken everywhere (no test).
template <class V>
AK_HD V scale_down(V v, const ExpParts<V>& e) {
  if constexpr (HasScalef<V>::value)
    return scalef(v, e.k);
  else
    return v * pow2_biased(e.k + V(kRoundMagic + 126.f)) * V(1.17549435e-38f);
}

// v * 2^k rounded once, for any v: one multiply while every lane has k >= -126 (all normal inputs
// that matter), else scale_down's two steps where k < -126. The same bits on every path.
template <class V>
AK_HD V scale(V v, const ExpParts<V>& e) {
  if constexpr (HasScalef<V>::value) {
    return scalef(v, e.k);
  } else {
    auto low = e.k < V(-126.f);
    if (!any_true(low)) return v * e.two_k;
    return select(low, scale_down(v, e), v * e.two_k);
  }
}

// 1 / d for the SIMD wrappers (scalar.h has the float one, with the device's faster path).
template <class V>
AK_HD V recip(V d) {
  return V(1.f) / d;
}

// a / b for the SIMD wrappers: an IEEE division (scalar.h has the float ones and their contracts).
template <class V>
AK_HD V div_rn(V a, V b) {
  return a / b;
}
template <class V>
AK_HD V div_rn_plus(V a, V b) {
  return a / b;
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
  return {hi, fmsub(a, b, hi)};
}

// What a caller of mul_div_1p knows of its operands (flags, or'ed together).
enum DivFlags : unsigned {
  // u + ulo is the denominator's term (|ulo| <= ulp(u)/2, the low part of a product), and u may
  // be negative down to -1/2.
  kLowU = 1,
  // a b is finite and not negative, so neither guard of the quotient is needed.
  kPlusProduct = 2,
  // a b is exact (a power-of-two b, a b normal or 0, wherever the caller uses the quotient): no
  // low part to carry.
  kExactProduct = 4,
};

// a b / (1 + u), u in [0, 1] (or as kLowU says), within about half an ulp: the product and the sum
// are kept exact (error-free transformations) and the quotient gets one Newton step. Rounding
// them plainly costs up to 4 ulp where intermediates sit at the bottom of their binade. A zero
// quotient keeps its sign (mish(-0) = -0).
template <unsigned kFlags = 0, class V>
AK_HD V mul_div_1p(V a, V b, V u, V ulo = V(0.f)) {
  TwoProduct<V> num = two_product(a, b);
  V den = V(1.f) + u;
  V den_lo = u - (den - V(1.f));
  if constexpr ((kFlags & kLowU) != 0) den_lo = den_lo + ulo;
  V inv = recip(den);
  V q = num.hi * inv;
  V residual = fmadd(-q, den, num.hi);
  if constexpr ((kFlags & kExactProduct) == 0) residual = residual + num.lo;
  residual = residual - q * den_lo;
  if constexpr ((kFlags & kPlusProduct) != 0) return fmadd(residual, inv, q);
  V r = select(absv(q) <= V(3.40282347e38f), fmadd(residual, inv, q), q);  // Inf - Inf is NaN
  return select(q == V(0.f), q, r);  // +0 residual + -0 would be +0
}

// Whether b x is exact wherever it is normal: b a power of two (the defaults of swish and aptx).
AK_HD bool exact_multiplier(float b) {
  int32_t bits = as_int(b) & 0x7fffffff;
  return (bits & 0x7fffff) == 0 && bits != 0 && bits < 0x7f800000;
}

// 2^k as a float where k >= -126; below, 0 or a subnormal (beside 1 the same).
template <class V>
AK_HD V pow2_of(const ExpParts<V>& e) {
  if constexpr (HasScalef<V>::value)
    return scalef(V(1.f), e.k);  // one instruction for the three of pow2i
  else
    return e.two_k;
}

// m * s(z + zlo), s the logistic sigmoid. One exp, one division, accurate in both tails: the
// product and the denominator carried exactly (1.5 ulp), for aptx's sums of terms.
template <bool kLow = false, class V>
AK_HD V mul_sigmoid(V m, V z, V zlo = V(0.f)) {
  auto neg = z < V(0.f);
  // e = e^-|z| in (0, 1]: s(z) = 1/(1+e) for z >= 0 and e/(1+e) for z < 0.
  ExpParts<V> e = exp_minus_abs<kLow>(z, zlo);
  V q = mul_div_1p(m, select(neg, e.p, V(1.f)), e.value());
  return select(z < V(-kExpUnderflow), zero_with_sign(m), select(neg, scale(q, e), q));
}

// m * s(z + zlo) as mul_sigmoid, in fewer instructions and within 2.7 ulp (2^26 inputs sampled,
// each path), for the activations that are that product alone. With e = e^-|z| = (1 + pm1) 2^k:
//   z >= 0: m / (1 + e)        z < 0: m e / (1 + e) = (m + m pm1) / (1 + e) * 2^k
// One exp, one division; m e and 1 + e = (1 + 2^k) + pm1 2^k are each rounded once (1 + 2^k is
// exact while it matters), and 2^k is applied last, so the left tail stays exact where e alone
// would be subnormal.
// kTied: |z| <= 2^70 |m| (z a fixed multiple of m): a numerator under 2^-96 then comes with
// |z| < 2^-26, where the denominator is 2, so div_rn gives the IEEE quotient everywhere.
template <bool kLow = false, bool kTied = false, class V>
AK_HD V mul_sigmoid_fast(V m, V z, V zlo = V(0.f)) {
  auto neg = z < V(0.f);
  ExpParts<V> e = exp_minus_abs<kLow>(z, zlo);
  V two_k = pow2_of(e);
  V num = select(neg, fmadd(m, e.pm1, m), m), den = fmadd(e.pm1, two_k, V(1.f) + two_k);
  V q = kTied ? div_rn(num, den) : num / den;
  return select(z < V(-kExpUnderflow), zero_with_sign(m), select(neg, scale(q, e), q));  // keeps -0
}

// m * s(z + zlo) for z <= 0 only (mul_sigmoid_fast's left half: other lanes give values the
// caller replaces, so z is clamped to [-174, 0] there: 2^k stays in range): m e / (1 + e),
// e = e^z. A clamped lane's result is replaced, so zlo need not be dropped there. m and z are
// tied as kTied says above (linearSwish's 2x and 1.25x).
template <bool kLow = false, class V>
AK_HD V mul_sigmoid_left(V m, V z, V zlo = V(0.f)) {
  V zc = minv(maxv(z, V(-kExpUnderflow)), V(0.f));
  ExpParts<V> e = exp_in_range<kLow>(zc, zlo);
  V two_k = pow2_of(e);
  V q = div_rn(fmadd(m, e.pm1, m), fmadd(e.pm1, two_k, V(1.f) + two_k));
  return select(z < V(-kExpUnderflow), zero_with_sign(m), scale(q, e));
}

// P(d^2) of tanh(d) = d + d^3 P(d^2) for |d| <= 0.75 (kTanhSmall): a degree-5 fit of
// (tanh(d)/d - 1)/d^2 weighted for relative error (0.1 ulp with these float coefficients).
constexpr float kTanhSmall = 0.75f;
template <class V>
AK_HD V tanh_small_poly(V s) {
  V p = fmadd(s, V(0.00173019269f), V(-0.00764579838f));
  p = fmadd(p, s, V(0.021444736f));
  p = fmadd(p, s, V(-0.0538905859f));
  p = fmadd(p, s, V(0.133326665f));
  return fmadd(p, s, V(-0.333333135f));
}

// (1 - t) a + t b, 0 < t < 1, in one rounding; where a and b are both zeros (results that
// underflowed) the blend is -0 if either is: -0 + +0 would be +0 where the exact blend of a
// negative underflow and an exact +0 is negative. (-a) + (-b) of two zeros is +0 unless both are
// +0, so its negation is that zero.
template <class V>
AK_HD V blend_of(float t, V a, V b) {
  V y = fmadd(V(1.f - t), a, V(t) * b);
  return select((a == V(0.f)) & (b == V(0.f)), -((-a) + (-b)), y);
}

// a + b exactly, as hi + lo (Knuth's TwoSum, for any order of magnitude).
template <class V>
AK_HD TwoProduct<V> two_sum(V a, V b) {
  V hi = a + b;
  V bb = hi - a;
  return {hi, (a - (hi - bb)) + (b - bb)};
}

// tanh(dh + dl) for |dh| <= 0.75, |dl| <= ulp(dh), as hi + lo: the last rounding of
// d + d^3 P(d^2) and the first-order term of dl are kept in lo (within 0.05 ulp of tanh).
template <class V>
AK_HD TwoProduct<V> tanh_small_pair(V dh, V dl) {
  V s = dh * dh;
  V p = tanh_small_poly(s);
  V c = dh * s;
  V hi = fmadd(c, p, dh);
  V lo = fmadd(c, p, dh - hi);  // dh - hi is exact: tanh(d) is within 20% of d
  return {hi, fmadd(fmadd(-hi, hi, V(1.f)), dl, lo)};
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
  V inv = recip(V(1.f) + e);
  V es = e * inv;
  return {select(neg, es, inv), select(neg, inv, es)};
}

// d/dx [x * s(c x)] = s(z) (1 + z s(-z)) with z = c x: the slope shared by swish, approxMish,
// linearSwish and aptx. Over one denominator, with e = e^-|z|:
//   z >= 0: (1 + e + z e) / (1 + e)^2      z < 0: e ((1 + z) + e) / (1 + e)^2
// The z < 0 form cancels only in (1 + z) + e, where 1 + z is exact, so the slope stays within
// 2^-24 absolute next to its zero (z = -1.2785) too. Saturates to 0 or 1 beyond |z| = 174.
// kLow: the slope at z + zlo (|zlo| <= ulp(z)/2, the rounding of the product that formed z),
// to first order: slope'(z) = e / (1 + e)^2 (2 - |z| (1 - e) / (1 + e)).
template <bool kLow = false, class V>
AK_HD V swish_slope(V z, V zlo = V(0.f)) {
  V e = exp_value(-absv(z));
  V ep1 = V(1.f) + e;
  V num = select(z < V(0.f), e * ((V(1.f) + z) + e), fmadd(z, e, ep1));
  V inv2 = recip(ep1 * ep1);
  V slope = num * inv2;
  if constexpr (kLow) {
    V curve = (e * inv2) * fmadd(-absv(z), div_rn_plus(V(1.f) - e, ep1), V(2.f));
    slope = fmadd(zlo, curve, slope);
  }
  slope = select(z > V(kExpUnderflow), V(1.f), slope);
  return select(z < V(-kExpUnderflow), V(0.f), slope);
}

// swish_slope within about 1 ulp (swish_slope: up to 3.5), for callers that subtract it from a
// constant (aptx's f' for |alpha| near 1): slope = m Q / (1 + e)^2 with e = exp(-|z|),
// Q = (1 + e) + w and (m, w) = (1, z e) for z >= 0, (e, z) for z < 0; Q, m Q and (1 + e)^2 kept
// exact as pairs and divided with one correction step, so what is left is e's own error (scaled by
// at most 1) and half an ulp. zlo as in swish_slope.
template <class V>
AK_HD V swish_slope_precise(V z, V zlo) {
  auto neg = z < V(0.f);
  V e = exp_value(-absv(z));
  TwoProduct<V> ze = two_product(z, e);
  V wh = select(neg, z, ze.hi), wl = select(neg, V(0.f), ze.lo);
  V h = V(1.f) + e, l = e - (h - V(1.f));  // 1 + e exactly
  TwoProduct<V> q = two_sum(h, wh);
  V q_lo = q.lo + (l + wl);
  V m = select(neg, e, V(1.f));
  TwoProduct<V> num = two_product(m, q.hi);
  V num_lo = fmadd(m, q_lo, num.lo);
  TwoProduct<V> den = two_product(h, h);
  V den_lo = fmadd(h + h, l, den.lo);
  V inv = recip(den.hi);
  V slope = num.hi * inv;
  V residual = (fmadd(-slope, den.hi, num.hi) + num_lo) - slope * den_lo;
  slope = fmadd(residual, inv, slope);
  V curve = (e * inv) * fmadd(-absv(z), (V(1.f) - e) * (h * inv), V(2.f));  // 1/h = h inv
  slope = fmadd(zlo, curve, slope);
  slope = select(z > V(kExpUnderflow), V(1.f), slope);
  return select(z < V(-kExpUnderflow), V(0.f), slope);
}

}  // namespace AK_ISA_NS
}  // namespace ak
