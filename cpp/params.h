// From the parameters a user gives (in the order of DESIGN §1) to what the formulas need.
// Host code, shared by the CPU and CUDA launchers.
#pragma once

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

// raw: swish {beta}; hardGate {shift, cap}; aptx {alpha, beta, gamma}; softplus {beta};
// elu {alpha}; leakyRelu {slope}. lib/ has checked them.
inline Params prepare_params(Op op, const double* raw) {
  Params p{{0.f, 0.f, 0.f, 0.f}};
  switch (op) {
    case Op::Swish: p.v[0] = float(raw[0]); break;
    case Op::HardGate: {
      float shift = float(raw[0]), cap = float(raw[1]);
      double hi = double(cap) - double(shift);
      float hi_f = float(hi);
      if (double(hi_f) < hi) hi_f = std::nextafter(hi_f, INFINITY);
      p.v[0] = shift;
      p.v[1] = cap;
      p.v[2] = float(1.0 / double(cap));
      p.v[3] = hi_f;
      break;
    }
    case Op::Aptx:
      p.v[0] = float(raw[0] - 1.0);
      p.v[1] = float(2.0 * raw[1]);
      p.v[2] = float(raw[2]);
      break;
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
