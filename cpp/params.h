// From the parameters a user gives (in the order of DESIGN §1) to what the formulas need.
// Host code, shared by the CPU and CUDA launchers.
#pragma once

#include <cfloat>
#include <cmath>

#include "types.h"

namespace ak {

inline int param_count(Op op) {
  switch (op) {
    case Op::Swish: return 1;
    case Op::HardGate: return 2;
    case Op::Aptx: return 3;
    case Op::Softplus: return 1;
    case Op::Elu: return 1;
    case Op::LeakyRelu: return 1;
    default: return 0;
  }
}

// Number of parameter gradients paramGrad returns (0: the activation has none).
inline int param_grad_count(Op op) {
  switch (op) {
    case Op::Swish: return 1;
    case Op::Aptx: return 3;
    case Op::Softplus: return 1;
    case Op::Elu: return 1;
    case Op::LeakyRelu: return 1;
    default: return 0;
  }
}

// Aptx's prepared parameters (cpp/activations.h names the slots): alpha, beta, gamma are rounded
// to float once, and everything else is derived from those floats in double.
inline void prepare_aptx(const double* raw, float* v) {
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
    v[18 + side] = float(c != 0 && g != 0 ? g * c * (sx * inf) : (g * sx * (c != 0 ? c : a)) * 0.0);
    v[20 + side] = float(g * c);
  }
  // Below small, tanh(beta x) = beta x to 2^-26 and alpha + beta x does not cancel (or alpha = 0).
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
}

// raw: swish {beta}; hardGate {shift, cap}; aptx {alpha, beta, gamma}; softplus {beta};
// elu {alpha}; leakyRelu {slope}. lib/ has checked them.
inline Params prepare_params(Op op, const double* raw) {
  Params p{};
  switch (op) {
    case Op::Swish: p.v[0] = float(raw[0]); break;
    case Op::HardGate: {
      float shift = float(raw[0]), cap = float(raw[1]);
      double hi = double(cap) - double(shift);
      float hi_f = float(hi);
      if (double(hi_f) < hi) hi_f = std::nextafter(hi_f, INFINITY);
      double inv = 1.0 / double(cap);
      p.v[0] = shift;
      p.v[1] = cap;
      p.v[2] = inv >= 0x1p-126 && inv <= 0x1.fffffep127 ? float(inv) : 0.f;  // else divide
      p.v[3] = hi_f;
      break;
    }
    case Op::Aptx: prepare_aptx(raw, p.v); break;
    case Op::Softplus: {
      float beta = float(raw[0]);
      int exponent = 0;
      bool power_of_two = std::frexp(beta, &exponent) == (beta > 0 ? 0.5f : -0.5f);
      float inv = 1.f / beta;
      p.v[0] = beta;
      p.v[1] = power_of_two && std::isnormal(inv) ? inv : 0.f;
      break;
    }
    case Op::Elu: p.v[0] = float(raw[0]); break;
    case Op::LeakyRelu: {
      float slope = float(raw[0]);
      p.v[0] = slope;
      // slope * -Inf, with 0 * -Inf taken as its limit: a zero with the sign of -slope
      p.v[1] = slope > 0 ? -INFINITY : slope < 0 ? INFINITY : std::copysign(0.f, -slope);
      break;
    }
    default: break;
  }
  return p;
}

}  // namespace ak
