// Every activation of DESIGN §1, each written once over V (float, a SIMD wrapper, or float
// under CUDA). An activation is a struct with:
//   forward(x, p)            f(x)
//   backward(x, dy, p)       f'(x) * dy
//   param_terms(x, dy, p, t) per-element terms whose sums are the parameter gradients
// Accuracy contract (DESIGN §4, checked on every path by test/accuracy.test.ts and
// `npm run accuracy`): forward within 4 ulp where the result is normal, 2^-126 absolute where
// it is subnormal; backward within 4 ulp + 2^-24 |dy|. Valid for every float x, ±0, ±Inf, NaN.
#pragma once

#include "math.h"

namespace ak {
inline namespace AK_ISA_NS {

struct Relu {
  static constexpr int kParamCount = 0;
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    return select(x <= V(0.f), V(0.f), x);  // NaN fails the test and passes through
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    // relu'(0) = 0 as in PyTorch; a NaN input gives NaN, not a silent 0.
    return select(x > V(0.f), dy, select(is_nan(x), x, V(0.f)));
  }
};

// mish(x) = x tanh(softplus x) = x u / (1 + u) with e = e^x, u = e + e^2/2
// (tanh(log(1 + e)) = u / (1 + u)); a plain x n / (n + 2) would lose up to 4.1 ulp.
struct Mish {
  static constexpr int kParamCount = 0;
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    ExpParts<V> e = exp_parts(minv(x, V(20.f)));
    V ev = e.value();
    V half = V(0.5f) * ev;
    V w = fmadd(e.p, half, e.p);  // u = w 2^k: the 2^k is applied last, so x e^x is exact
    V u = fmadd(ev, half, ev);    // even where e^x alone would be subnormal
    V y = scale(mul_div_1p<true>(x, w, u), e);
    y = select(x > V(20.f), x, y);  // tanh(softplus 20) = 1 - 4e-18
    return select(x < V(-kExpUnderflow), zero_with_sign(x), y);
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
struct Swish {
  static constexpr int kParamCount = 1;
  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    TwoProduct<V> z = two_product(V(p.v[0]), x);
    return mul_sigmoid<true>(x, z.hi, z.lo);
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
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

// hardGate(x) = x clamp(x + shift, 0, cap) / cap: hard-swish, hard-mish, H-Mish.
// Params: v[0] = shift, v[1] = cap, v[2] = 1/cap, v[3] = the least float x with x + shift >= cap
// (so the kinks are classified exactly, whatever x + shift rounds to).
struct HardGate {
  static constexpr int kParamCount = 2;
  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    V shift(p.v[0]), cap(p.v[1]), inv_cap(p.v[2]), hi(p.v[3]);
    V y = x * (minv(maxv(x + shift, V(0.f)), cap) * inv_cap);
    y = select(x >= hi, x, y);
    return select(x <= -shift, zero_with_sign(x), y);  // also -Inf -> -0, not -Inf * 0
  }
  // 0 where x + shift <= 0, 1 where x + shift >= cap, (2x + shift)/cap between (PyTorch).
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    V shift(p.v[0]), inv_cap(p.v[2]), hi(p.v[3]);
    V g = fmadd(V(2.f), x, shift) * inv_cap;
    g = select(x >= hi, V(1.f), g);
    return select(x <= -shift, V(0.f), g) * dy;
  }
};

// approxMish(x) = x s(x) for x <= 0, x s(2x) for x >= 0 (piecewise Swish, C1 at 0).
struct ApproxMish {
  static constexpr int kParamCount = 0;
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    return mul_sigmoid(x, select(x < V(0.f), x, x + x));
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    return swish_slope(select(x < V(0.f), x, x + x)) * dy;
  }
};

// linearSwish(x) = 2x s(1.25x) for x <= 0, x for x >= 0.
struct LinearSwish {
  static constexpr int kParamCount = 0;
  template <class V>
  AK_HD static V forward(V x, const Params&) {
    TwoProduct<V> z = two_product(V(1.25f), x);
    return select(x > V(0.f), x, mul_sigmoid<true>(x + x, z.hi, z.lo));
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params&) {
    V g = V(2.f) * swish_slope(V(1.25f) * x);
    return select(x > V(0.f), V(1.f), g) * dy;
  }
};

// aptx(x) = (alpha + tanh(beta x)) gamma x = gamma [(alpha - 1) x + 2x s(2 beta x)]: the
// second form keeps the left tail (about -8.5e-17 at x = -20 for the defaults), not 0.
// Params: v[0] = alpha - 1, v[1] = 2 beta, v[2] = gamma.
// The *_with forms take the parameters as V (a1 = alpha - 1, b2 = 2 beta): one value for the
// elementwise activation, one per lane in the APTx Neuron layer (cpp/layer/aptx_layer_kernels.h).
struct Aptx {
  static constexpr int kParamCount = 3;
  // (alpha - 1) c x + 2c x s(2 beta x): c = 1 gives (alpha + tanh(beta x)) x, c = gamma aptx.
  template <class V>
  AK_HD static V forward_with(V x, V a1, V b2, V c) {
    TwoProduct<V> z = two_product(b2, x);
    V tail = mul_sigmoid<true>((c + c) * x, z.hi, z.lo);
    return select(a1 == V(0.f), tail, fmadd(a1 * c, x, tail));  // 0 * Inf must not be NaN
  }
  // f' = gamma [(alpha - 1) + 2 s(z)(1 + z s(-z))], z = 2 beta x
  template <class V>
  AK_HD static V backward_with(V x, V dy, V a1, V b2, V gamma) {
    return gamma * fmadd(V(2.f), swish_slope(b2 * x), a1) * dy;
  }
  // d/dalpha = gamma x; d/dbeta = gamma x^2 (1 - t^2) = 4 gamma x^2 s(z) s(-z);
  // d/dgamma = (alpha + t) x
  template <class V>
  AK_HD static void param_terms_with(V x, V dy, V a1, V b2, V gamma, V* t) {
    V z = b2 * x;
    SigmoidPair<V> sp = sigmoid_pair(z);
    V dbeta = V(4.f) * gamma * (x * sp.s) * (x * sp.sc) * dy;
    t[0] = gamma * x * dy;
    t[1] = select(absv(z) > V(kExpUnderflow), V(0.f) * dy, dbeta);
    t[2] = forward_with(x, a1, b2, V(1.f)) * dy;
  }

  template <class V>
  AK_HD static V forward(V x, const Params& p) {
    return forward_with(x, V(p.v[0]), V(p.v[1]), V(p.v[2]));
  }
  template <class V>
  AK_HD static V backward(V x, V dy, const Params& p) {
    return backward_with(x, dy, V(p.v[0]), V(p.v[1]), V(p.v[2]));
  }
  template <class V>
  AK_HD static void param_terms(V x, V dy, const Params& p, V* t) {
    param_terms_with(x, dy, V(p.v[0]), V(p.v[1]), V(p.v[2]), t);
  }
};

}  // namespace AK_ISA_NS
}  // namespace ak
