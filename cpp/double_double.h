// Double-double arithmetic (a value as hi + lo, about 106 bits) for the few places that need
// f'/gamma of aptx beyond double precision next to its zeros: Aptx::prepare (the series' constant
// term) and the exhaustive reference (reference/reference.h). Host and device; not for kernels.
#pragma once

#include <cmath>

#ifdef __CUDACC__
#define AK_DD_HD __host__ __device__ inline
#else
#define AK_DD_HD inline
#endif

namespace ak {
namespace dd {

#ifndef __CUDACC__  // nvcc has these for double on the device as they are
using std::fabs;
using std::fma;
using std::ldexp;
using std::nearbyint;
#endif

struct DD {
  double hi, lo;
};

AK_DD_HD DD quick_two_sum(double a, double b) {  // |a| >= |b|
  double s = a + b;
  return {s, b - (s - a)};
}
AK_DD_HD DD two_sum(double a, double b) {
  double s = a + b, bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
AK_DD_HD DD add(DD a, DD b) {
  DD s = two_sum(a.hi, b.hi), t = two_sum(a.lo, b.lo);
  s = quick_two_sum(s.hi, s.lo + t.hi);
  return quick_two_sum(s.hi, s.lo + t.lo);
}
AK_DD_HD DD mul(DD a, DD b) {
  double p = a.hi * b.hi;
  double e = fma(a.hi, b.hi, -p) + (a.hi * b.lo + a.lo * b.hi);
  return quick_two_sum(p, e);
}
AK_DD_HD DD div(DD a, DD b) {
  double q1 = a.hi / b.hi;
  DD r = add(a, mul({-q1, 0}, b));
  double q2 = r.hi / b.hi;
  r = add(r, mul({-q2, 0}, b));
  double q3 = r.hi / b.hi;
  return add(quick_two_sum(q1, q2), {q3, 0});
}

// e^y for y <= 0 (0 below -745): y = k ln2 + r, |r| <= ln2/2, e^r by its Taylor series to r^27
// (0.35^28/28! < 2^-140).
AK_DD_HD DD exp_neg(double y) {
  if (y < -745) return {0, 0};
  const DD ln2 = {0.6931471805599453, 2.3190468138462996e-17};
  double k = nearbyint(y / ln2.hi);
  DD r = add({y, 0}, mul({-k, 0}, ln2));
  DD s = {1, 0};
  for (int n = 27; n >= 1; --n) s = add({1, 0}, mul(s, div(r, {double(n), 0})));
  return {ldexp(s.hi, int(k)), ldexp(s.lo, int(k))};
}

// f'/gamma of aptx, alpha + tanh u + u sech^2 u, for a double alpha and u (exact as given):
// with e = e^-2|u| and q = e / (1 + e), tanh u = -+(1 - 2q) and sech^2 u = 4 q / (1 + e), so
// the sum is (alpha -+ 1) +- 2q + 4u q / (1 + e), alpha -+ 1 exact for a float alpha.
AK_DD_HD DD aptx_slope(double a, double u) {
  DD e = exp_neg(-2 * fabs(u));
  DD ope = add({1, 0}, e);
  DD q = div(e, ope);
  double side = u < 0 ? 1 : -1;
  DD sum = add({a - side, 0}, mul({2 * side, 0}, q));
  return add(sum, mul({4 * u, 0}, div(q, ope)));
}

}  // namespace dd
}  // namespace ak
