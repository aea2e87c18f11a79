#include "half_exact.h"

#include <cmath>

#include "../../reference/reference.h"

namespace ak {

namespace {

double eval(const Program& f, int node, double x, bool gradient) {
  const Node& nd = f.nodes[size_t(node)];
  if (!nd.blend) {
    reference::Ref r = reference::of(nd.op, nd.raw, x);
    return gradient ? r.df : r.f;
  }
  // As the kernels: t = 0 and t = 1 take one side as it is.
  if (nd.t == 0.f) return eval(f, nd.a, x, gradient);
  if (nd.t == 1.f) return eval(f, nd.b, x, gradient);
  double t = nd.t;
  return (1 - t) * eval(f, nd.a, x, gradient) + t * eval(f, nd.b, x, gradient);
}

}  // namespace

HalfBound half_bound(const Node& nd, bool gradient) {
  // docs/targets.md: forward |y - ref| <= 4 ulp(ref) (2^-21 |ref|), <= 2^-126 where subnormal;
  // backward 4 ulp(ref) + 2^-24 |dy|, aptx with |gamma| > 2 4 ulp(ref) + 0.5 |gamma| 2^-24 |dy|.
  // Each doubled here: it covers |ref| against |r| and the rounding of r -+ bound.
  float dy = 0x1p-23f;
  if (nd.op == Op::Aptx) {
    float gamma = std::fabs(float(nd.raw[2]));
    if (gamma > 2) dy *= 0.5f * gamma;
  }
  return HalfBound{0x1p-20f, 0x1p-125f, gradient ? dy : 0.f, op_info(nd.op).cheap};
}

uint16_t exact_half(const Program& f, Half h, float x, bool gradient, float dy) {
  double v = eval(f, 0, double(x), gradient);
  if (gradient) v = v == 0 ? 0.0 : v * double(dy);
  return double_to_half(h, v);
}

}  // namespace ak
