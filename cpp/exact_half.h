// The exact value of a program, rounded once to a half-precision format (docs/design.md, Half
// precision): for the few lanes whose float32 result leaves the rounding open. Host and device
// code alike (cpp/cpu/compute.cpp, cuda/half_kernels.cu), so that the CPU and a GPU settle a lane
// the same way: the double references of reference/reference.h, and, where the double value lies
// within 2^-40 of a rounding boundary, the side of the boundary the exact value is on.
#pragma once

#include "../reference/reference.h"
#include "half.h"
#include "program.h"

namespace ak {

// A program in post-order (as Program::steps) with its parameters as given.
struct ExactStep {
  int op;  // kBlendStep for a blend
  double t;
  double raw[kMaxParams];
};
struct ExactProgram {
  int count;
  // the step of the cheap op (cpp/ops.h) the whole program is, a blend at t = 0 or 1 being one
  // of its sides; -1 where the program is no cheap op
  int cheap_leaf;
  ExactStep code[kMaxNodes];
};
ExactProgram exact_program(const Program& f);  // cpp/program.cpp

namespace exact {

#ifndef __CUDACC__  // nvcc has these for double on the device as they are
using std::copysign;
using std::fabs;
using std::floor;
using std::frexp;
using std::ilogb;
using std::isfinite;
using std::ldexp;
using std::log2;
using std::lround;
using std::signbit;
#endif

// One side of a blend as the kernels take it: t = 0 and t = 1 give one side as it is, and two
// zeros blend to -0 where either is -0 (cpp/math.h blend_of).
AK_REF_HD double blend(double t, double a, double b) {
  if (t == 0) return a;
  if (t == 1) return b;
  if (a == 0 && b == 0) return signbit(a) || signbit(b) ? -0.0 : 0.0;
  return (1 - t) * a + t * b;
}

// f(x) and f'(x) of the whole program in double. Out of line on a device: the references of every
// op are a large function, called from a few places.
#ifdef __CUDACC__
__host__ __device__ __noinline__
#endif
    inline reference::Ref
    value(const ExactProgram& f, double x) {
  reference::Ref stack[kMaxDepth + 2];
  stack[0] = {0, 0};  // for g++, which cannot see that a program pushes before it returns
  int top = 0;
  for (int i = 0; i < f.count; ++i) {
    const ExactStep& s = f.code[i];
    if (s.op == kBlendStep) {
      const reference::Ref b = stack[--top], a = stack[top - 1];
      stack[top - 1] = {blend(s.t, a.f, b.f), blend(s.t, a.df, b.df)};
    } else {
      stack[top++] = reference::of(Op(s.op), s.raw, x);
    }
  }
  return stack[0];
}

// a + b = s + err exactly (Knuth's TwoSum).
AK_REF_HD double two_sum(double a, double b, double& err) {
  double s = a + b, bb = s - a;
  err = (a - (s - bb)) + (b - bb);
  return s;
}

// The sign of a + b + c, exactly: the three grown into a nonoverlapping expansion (Shewchuk,
// "Adaptive Precision Floating-Point Arithmetic", 1997), whose largest nonzero part has the sign
// of the sum.
AK_REF_HD int sign_of_sum(double a, double b, double c) {
  double g[3], h0;
  double q1 = two_sum(b, a, h0);    // {a} grown by b: h0, q1
  double q = two_sum(c, h0, g[0]);  // grown by c: g0, g1, g2
  g[2] = two_sum(q, q1, g[1]);
  for (int i = 2; i >= 0; --i)
    if (g[i] != 0) return g[i] > 0 ? 1 : -1;
  return 0;
}

// For the piecewise-rational ops, whose double value may be off a rounding boundary T of the
// format only by its own rounding: the sign of (exact value - T), from products that are exact in
// double (a half x has at most 11 bits, a float32 parameter 24, T 12). 2 for any other op.
AK_REF_HD int side_of(const ExactStep& s, double x, bool gradient, double dy, double T) {
  const double a = double(float(s.raw[0])), c = double(float(s.raw[1]));
  switch (Op(s.op)) {
    case Op::HardGate:
      if (x + a <= 0 || x + a >= c) return 2;  // 0, x or dy: exact in double
      // x (x + a) / c - T and (2x + a) dy / c - T, times c > 0
      return gradient ? sign_of_sum(2 * x * dy, a * dy, -T * c) : sign_of_sum(x * x, x * a, -T * c);
    case Op::HardSigmoid:
      if (x <= -3 || x >= 3) return 2;
      return gradient ? sign_of_sum(dy, -6 * T, 0) : sign_of_sum(x, 3, -6 * T);
    default: return 2;  // relu, relu6, leakyRelu: their double values are exact
  }
}

// For a smooth program, the side of a value on a boundary where its structure puts it there: g
// (f, or f'·dy) is c x^k + c' x^(k+1) + ... near 0 (swish's x/2, aptx's gamma beta x^2 at alpha
// 0), and a x + tail far out, with a tail that vanishes faster than any power (aptx's gamma
// (alpha + 1) x): the leading term is the boundary itself, and the rest has the sign it has
// closer in, where double resolves it. Near 0: at s = x 2^m (of x's sign, about 2^-12) the
// leading term is exactly tie 2^(mk); far out: at x/2^m, the first point whose rest is above
// 2^-45 of the leading term (none, and no rest at all: g is linear, the tie itself). 2 where
// neither applies.
AK_REF_HD int side_of_smooth(const ExactProgram& f, double x, bool gradient, double dy, double v,
                             double tie) {
  auto g = [&](double y) {
    const reference::Ref r = value(f, y);
    return gradient ? r.df * dy : r.f;
  };
  auto sign = [](double r) { return r > 0 ? 1 : r < 0 ? -1 : 0; };
  if (!isfinite(x)) return 2;
  if (x == 0) return 0;  // f(0), f'(0) dy: a dyadic constant on the boundary
  if (fabs(x) < 0x1p-20) {
    const int k = int(lround(log2(g(2 * x) / v)));
    const int m = -12 - ilogb(x);
    return sign(g(ldexp(x, m)) - ldexp(tie, m * k));
  }
  const double a = value(f, x).df;  // the slope far out: its limit there
  bool linear = true;               // no rest anywhere: a x itself (swish at beta 0)
  for (int m = 1; fabs(ldexp(x, -m)) >= 0x1p-20; ++m) {
    const double s = ldexp(x, -m), lead = gradient ? a * dy : a * s;
    const double rest = g(s) - lead;
    if (fabs(rest) > 0x1p-45 * fabs(lead)) return sign(rest);
    linear = linear && rest == 0;
  }
  return linear ? 0 : 2;
}

// f(x) (gradient: f'(x)·dy) of the whole program, exact, rounded once to h. A zero f'(x) gives
// +0 whatever dy is (a gradient of zero, as the float32 kernels select it).
AK_REF_HD uint16_t half(const ExactProgram& f, Half h, float x, bool gradient, float dy) {
  const reference::Ref r = value(f, double(x));
  double v = gradient ? r.df : r.f;
  if (gradient) v = v == 0 ? 0.0 : v * double(dy);
  if (!isfinite(v) || v == 0 || !isfinite(dy)) return double_to_half(h, v);
  // The boundary next to v: where v is within 2^-40 of it, the double value cannot say on which
  // side the exact one is.
  const int digits = h == Half::Bf16 ? 8 : 11, emin = h == Half::Bf16 ? -126 : -14;
  int e;
  frexp(v, &e);
  const double unit = ldexp(1.0, (e - 1 > emin ? e - 1 : emin) - (digits - 1));
  const double n = fabs(v) / unit, tie = copysign((floor(n) + 0.5) * unit, v);
  if (fabs(n - floor(n) - 0.5) * unit > ldexp(fabs(v), -40)) return double_to_half(h, v);
  int side = 2;  // the sign of (exact - tie); 0: the tie itself, rounded to even
  if (f.cheap_leaf >= 0)
    side = side_of(f.code[f.cheap_leaf], double(x), gradient, dy, tie);
  else
    side = side_of_smooth(f, double(x), gradient, double(dy), v, tie);
  if (side == 2) return double_to_half(h, v);
  return double_to_half(h, tie + side * 0.25 * unit);
}

}  // namespace exact
}  // namespace ak
