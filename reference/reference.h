// The double-precision reference of every op of the registry (cpp/ops.h) and the error measures
// of the accuracy contract (docs/targets.md), shared by the exhaustive check on the CPU
// (test/exhaustive/exhaustive.cpp) and on the device (cuda/accuracy.cu). Parameters are rounded
// to float32 first, as the kernels hold them; the forms stay accurate in the tails and near
// roots, as reference/reference.ts's do (which the TS tests use).
#pragma once

#include <cmath>
#include <cstdint>

#include "../cpp/double_double.h"
#include "../cpp/types.h"

#ifdef __CUDACC__
#define AK_REF_HD __host__ __device__ inline
#else
#define AK_REF_HD inline
#endif

namespace ak {
namespace reference {

#ifndef __CUDACC__  // nvcc has these for double on the device as they are
using std::atanh;
using std::erfc;
using std::exp;
using std::expm1;
using std::fabs;
using std::frexp;
using std::isfinite;
using std::isnan;
using std::ldexp;
using std::log1p;
using std::signbit;
using std::tanh;
#endif

AK_REF_HD double sig(double z) {
  return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}
AK_REF_HD double swish_slope(double z) { return sig(z) * (1 + z * sig(-z)); }
AK_REF_HD double f32(double v) { return double(float(v)); }
AK_REF_HD double neg_zero_of(double x) { return signbit(x) ? -0.0 : 0.0; }  // x * 0: x's sign

struct Ref {
  double f, df;
};

AK_REF_HD Ref mish_ref(double x) {
  if (x == -INFINITY) return {-0.0, 0};
  if (x > 40) return {x, 1};
  double e = exp(x), n = e * (e + 2);
  return {x * tanh(log1p(e)),
          n / (n + 2) + x * 4 * (1 + e) * (1 + e) * sig(x) / ((n + 2) * (n + 2))};
}

AK_REF_HD Ref swish_ref(double x, double beta) {
  double b = f32(beta);
  if (isnan(x)) return {x, x};
  if (isfinite(x)) return {x * sig(b * x), swish_slope(b * x)};
  if (b == 0) return {x, 0.5};  // x / 2
  return b * x > 0 ? Ref{x, 1} : Ref{x > 0 ? 0.0 : -0.0, 0};  // x s(b x): the sign of x
}

AK_REF_HD Ref hard_gate_ref(double x, double shift, double cap) {
  double s = f32(shift), c = f32(cap);
  if (isnan(x)) return {x, x};
  if (x + s <= 0) return {neg_zero_of(x), 0};
  if (x + s >= c) return {x, 1};
  return {x * (x + s) / c, (2 * x + s) / c};
}

AK_REF_HD Ref relu_ref(double x) {
  if (isnan(x)) return {x, x};
  return x > 0 ? Ref{x, 1} : Ref{0, 0};
}

AK_REF_HD Ref approx_mish_ref(double x) {
  if (isnan(x)) return {x, x};
  if (x == -INFINITY) return {-0.0, 0};
  if (x == INFINITY) return {x, 1};
  double z = x <= 0 ? x : 2 * x;
  return {x * sig(z), swish_slope(z)};
}

AK_REF_HD Ref linear_swish_ref(double x) {
  if (isnan(x)) return {x, x};
  if (x > 0) return {x, 1};
  if (x == -INFINITY) return {-0.0, 0};
  return {2 * x * sig(1.25 * x), 2 * swish_slope(1.25 * x)};
}

// alpha + tanh(u) without cancellation (reference/reference.ts aptxSum): for |alpha| < 1,
// (1 - alpha^2) t / (1 - alpha t) with t = tanh(u - u0), u0 = atanh(-alpha); otherwise the sum
// whose terms have one sign.
AK_REF_HD double aptx_sum(double a, double u) {
  if (fabs(a) < 1) {
    double t = tanh(u - atanh(-a));
    return (1 - a * a) * t / (1 - a * t);
  }
  if (a == -1) return -2 * sig(-2 * u);
  if (a >= 1) return a - 1 + 2 * sig(2 * u);
  return a + 1 - 2 * sig(-2 * u);
}

// aptx at every parameter, exact near the roots of alpha + tanh(beta x) and of f' (there in
// double-double: the float nearest a zero of f' may sit 2^-40 from it, and gamma any float).
AK_REF_HD Ref aptx_ref(double x, const double* raw) {
  double a = f32(raw[0]), b = f32(raw[1]), g = f32(raw[2]);
  if (isnan(x)) return {x, x};
  if (!isfinite(x)) {
    double tail = b == 0 ? 0 : (b > 0) == (x > 0) ? 1 : -1;  // tanh(beta x) at x
    double c = a + tail, sx = x > 0 ? 1 : -1;
    return {c != 0 && g != 0 ? g * c * x : (g * sx * (c != 0 ? c : a)) * 0.0, g * c};
  }
  double u = b * x;
  double sum = aptx_sum(a, u), q = 4 * u * sig(2 * u) * sig(-2 * u), h = sum + q;
  // next to a zero of f' (exact in double: u = b x has 48 bits), where the two terms cancel; the
  // zeros lie within |u| < 20, and beyond h is an exponential tail without cancellation, kept by
  // double to its subnormals (as is a small h whose terms do not cancel: no double-double there)
  if (fabs(h) < 0x1p-10 * (fabs(sum) + fabs(q)) && fabs(u) < 32) {
    dd::DD hd = dd::aptx_slope(a, u);
    h = hd.hi + hd.lo;
  }
  double df = g * h;
  if (b == 0) return {g * a * x, df};
  if (x == 0) return {g * x * (a != 0 ? a : b * x), df};
  return {g * x * aptx_sum(a, u), df};
}

// The classic functions (cpp/activations_classic.h), in the forms of reference/reference.ts.
AK_REF_HD Ref gelu_ref(double x) {
  if (isnan(x)) return {x, x};
  if (x == -INFINITY) return {-0.0, 0};
  if (x == INFINITY) return {x, 1};
  double phi = 0.5 * erfc(-x * 0.70710678118654752440);
  return {x * phi, phi + x * 0.39894228040143267794 * exp(-0.5 * x * x)};
}

AK_REF_HD Ref gelu_tanh_ref(double x) {
  if (isnan(x)) return {x, x};
  if (!isfinite(x)) return x > 0 ? Ref{x, 1} : Ref{-0.0, 0};
  const double c = 1.5957691216057307117;  // 2 sqrt(2/pi)
  double z = c * (x + 0.044715 * x * x * x), w = c * x * (1 + 3 * 0.044715 * x * x);
  return {x * sig(z), sig(z) * (1 + w * sig(-z))};
}

AK_REF_HD Ref sigmoid_ref(double x) {
  if (isnan(x)) return {x, x};
  return {sig(x), sig(x) * sig(-x)};
}

AK_REF_HD Ref tanh_ref(double x) {
  if (isnan(x)) return {x, x};
  double t = tanh(x);
  return {t, isfinite(x) ? 4 * sig(2 * x) * sig(-2 * x) : 0};
}

AK_REF_HD Ref softplus_ref(double x, double beta) {
  double b = f32(beta);
  if (isnan(x)) return {x, x};
  double z = b * x;
  if (!isfinite(z)) return z > 0 ? Ref{x, 1} : Ref{b > 0 ? 0.0 : -0.0, 0};
  double l = log1p(exp(-fabs(z))) / b;
  return {z > 0 ? x + l : l, sig(z)};
}

AK_REF_HD Ref elu_ref(double x, double alpha, double scale) {
  if (isnan(x)) return {x, x};
  if (x > 0) return {scale * x, scale};
  return {scale * alpha * expm1(x), scale * alpha * exp(x)};
}

AK_REF_HD Ref leaky_relu_ref(double x, double slope) {
  double s = f32(slope);
  if (isnan(x)) return {x, x};
  if (x > 0) return {x, 1};
  if (x == -INFINITY && s == 0) return {signbit(s) ? 0.0 : -0.0, s};  // the limit of s x
  return {s * x, s};
}

AK_REF_HD Ref relu6_ref(double x) {
  if (isnan(x)) return {x, x};
  return {x <= 0 ? 0.0 : x >= 6 ? 6.0 : x, x > 0 && x < 6 ? 1.0 : 0.0};
}

AK_REF_HD Ref hard_sigmoid_ref(double x) {
  if (isnan(x)) return {x, x};
  return {x <= -3 ? 0.0 : x >= 3 ? 1.0 : (x + 3) / 6, x > -3 && x < 3 ? 1.0 / 6 : 0.0};
}

AK_REF_HD Ref of(Op op, const double* raw, double x) {
  switch (op) {
    case Op::Relu: return relu_ref(x);
    case Op::Mish: return mish_ref(x);
    case Op::Swish: return swish_ref(x, raw[0]);
    case Op::HardGate: return hard_gate_ref(x, raw[0], raw[1]);
    case Op::ApproxMish: return approx_mish_ref(x);
    case Op::LinearSwish: return linear_swish_ref(x);
    case Op::Aptx: return aptx_ref(x, raw);
    case Op::Gelu: return gelu_ref(x);
    case Op::GeluTanh: return gelu_tanh_ref(x);
    case Op::Sigmoid: return sigmoid_ref(x);
    case Op::Tanh: return tanh_ref(x);
    case Op::Softplus: return softplus_ref(x, raw[0]);
    case Op::Elu: return elu_ref(x, f32(raw[0]), 1);
    case Op::Selu: return elu_ref(x, 1.6732632423543772, 1.0507009873554805);
    case Op::LeakyRelu: return leaky_relu_ref(x, raw[0]);
    case Op::Relu6: return relu6_ref(x);
    case Op::HardSigmoid: return hard_sigmoid_ref(x);
    default: return {NAN, NAN};
  }
}

constexpr double kMinNormal = 1.1754943508222875e-38;

AK_REF_HD double ulp32(double r) {
  double a = fabs(r);
  if (a < kMinNormal) return 1.401298464324817e-45;
  int e;
  frexp(a, &e);  // a = m 2^e, m in [0.5, 1)
  return ldexp(1.0, e - 1 - 23);
}

// reference/reference.ts forwardError
AK_REF_HD double forward_error(double y, double r) {
  if (isnan(r) || isnan(y)) return isnan(r) && isnan(y) ? 0 : INFINITY;
  double rf = f32(r);
  if (!isfinite(rf) || !isfinite(y)) return y == rf ? 0 : INFINITY;
  if (fabs(r) < kMinNormal) return fabs(y - r) <= kMinNormal ? 0 : INFINITY;
  return fabs(y - r) / ulp32(r);
}

// reference/reference.ts backwardError with dy = 1
AK_REF_HD double backward_error(double g, double r) {
  if (isnan(r) || isnan(g)) return isnan(r) && isnan(g) ? 0 : INFINITY;
  double rf = f32(r);
  if (!isfinite(rf) || !isfinite(g)) return g == rf ? 0 : INFINITY;
  double excess = fabs(g - r) - 5.9604644775390625e-8;
  return excess <= 0 ? 0 : excess / ulp32(r);
}

}  // namespace reference
}  // namespace ak
