#include "half_exact.h"

#include <cmath>
#include <type_traits>

#include "../../reference/reference.h"
#include "../dispatch.h"

namespace ak {

namespace {

// The slope zone each op's formula states, if any (cpp/types.h, SlopeZone), with the parameters
// it is stated at.
template <class A, class = void>
struct Stated : std::false_type {};
template <class A>
struct Stated<A, std::void_t<decltype(A::kSlopeCancels)>> : std::true_type {};

struct ZoneRow {
  bool stated;
  SlopeZone zone;
  int params;
  float at[kMaxParams];
};
template <class A, int kParams>
constexpr ZoneRow zone_row() {
  if constexpr (!Stated<A>::value) {
    return {false, {-INFINITY, INFINITY}, 0, {}};
  } else {
    ZoneRow r{true, A::kSlopeCancels, kParams, {}};
    if constexpr (kParams > 0) {
      static_assert(sizeof(A::kSlopeAt) == kParams * sizeof(float), "kSlopeAt: every parameter");
      for (int k = 0; k < kParams; ++k) r.at[k] = A::kSlopeAt[k];
    }
    return r;
  }
}
constexpr ZoneRow kZones[] = {
#define AK_ZONE_ROW(Formula, name, params, trainable, cheap) zone_row<Formula, params>(),
    AK_OPS(AK_ZONE_ROW)
#undef AK_ZONE_ROW
};

// Whether node nd has the parameters its op's zone is stated at.
bool zone_applies(const ZoneRow& z, const Node& nd) {
  if (!z.stated) return false;
  for (int k = 0; k < z.params; ++k)
    if (float(nd.raw[k]) != z.at[k]) return false;
  return true;
}

double eval(const Program& f, int node, double x, bool gradient) {
  const Node& nd = f.nodes[size_t(node)];
  if (!nd.blend) {
    reference::Ref r = reference::of(nd.op, nd.raw, x);
    return gradient ? r.df : r.f;
  }
  // As the kernels: t = 0 and t = 1 take one side as it is.
  if (nd.t == 0.f) return eval(f, nd.a, x, gradient);
  if (nd.t == 1.f) return eval(f, nd.b, x, gradient);
  double t = nd.t, a = eval(f, nd.a, x, gradient), b = eval(f, nd.b, x, gradient);
  // Two zeros blend to -0 where either is -0, as cpp/math.h blend_of does.
  if (a == 0 && b == 0) return std::signbit(a) || std::signbit(b) ? -0.0 : 0.0;
  return (1 - t) * a + t * b;
}

// a + b = s + err exactly (Knuth's TwoSum).
double two_sum(double a, double b, double& err) {
  double s = a + b, bb = s - a;
  err = (a - (s - bb)) + (b - bb);
  return s;
}

// The sign of a + b + c, exactly: the three grown into a nonoverlapping expansion (Shewchuk,
// "Adaptive Precision Floating-Point Arithmetic", 1997), whose largest nonzero part has the sign
// of the sum.
int sign_of_sum(double a, double b, double c) {
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
int side_of(const Node& nd, double x, bool gradient, double dy, double T) {
  const double s = double(float(nd.raw[0])), c = double(float(nd.raw[1]));
  switch (nd.op) {
    case Op::HardGate:
      if (x + s <= 0 || x + s >= c) return 2;  // 0, x or dy: exact in double
      // x (x + s) / c - T and (2x + s) dy / c - T, times c > 0
      return gradient ? sign_of_sum(2 * x * dy, s * dy, -T * c) : sign_of_sum(x * x, x * s, -T * c);
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
int side_of_smooth(const Program& f, double x, bool gradient, double dy, double v, double tie) {
  auto g = [&](double y) { return gradient ? eval(f, 0, y, true) * dy : eval(f, 0, y, false); };
  auto sign = [](double r) { return r > 0 ? 1 : r < 0 ? -1 : 0; };
  if (!std::isfinite(x)) return 2;
  if (x == 0) return 0;  // f(0), f'(0) dy: a dyadic constant on the boundary
  if (std::fabs(x) < 0x1p-20) {
    const int k = int(std::lround(std::log2(g(2 * x) / v)));
    const int m = -12 - std::ilogb(x);
    return sign(g(std::ldexp(x, m)) - std::ldexp(tie, m * k));
  }
  const double a = eval(f, 0, x, true);  // the slope far out: its limit there
  bool linear = true;                    // no rest anywhere: a x itself (swish at beta 0)
  for (int m = 1; std::fabs(std::ldexp(x, -m)) >= 0x1p-20; ++m) {
    const double s = std::ldexp(x, -m), lead = gradient ? a * dy : a * s;
    const double rest = g(s) - lead;
    if (std::fabs(rest) > 0x1p-45 * std::fabs(lead)) return sign(rest);
    linear = linear && rest == 0;
  }
  return linear ? 0 : 2;
}

}  // namespace

HalfBound half_bound(const Node& nd, bool gradient) {
  // docs/targets.md: forward |y - ref| <= 4 ulp(ref), <= 2^-126 where subnormal; backward
  // 4 ulp(ref) + 2^-24 |dy|. As parts of |r|: 4 ulp(ref) <= 2^-21 |ref| <= 2^-21 (1 + 2^-20) |r|,
  // and r -+ bound rounds by at most 2^-24 |r| more: 1.25 2^-21 covers both; the absolute parts
  // take a quarter more likewise.
  const float dy = gradient ? 0x1.4p-24f : 0.f;
  // Outside a stated zone, g = f'(x)(1 + d) + a with |d| <= 2^-21, |a| <= 2^-100, and r = g·dy
  // rounded: |r - f'(x)·dy| <= 2^-21 (1 + 2^-20) |r| + 2^-24 |r| + 2^-150 + 2^-100 (1 + 2^-20)
  // |dy|, which rel, abs and 1.25·2^-100 |dy| cover.
  const ZoneRow& z = kZones[int(nd.op)];
  const float dy_far = gradient && zone_applies(z, nd) ? 0x1.4p-100f : dy;
  return HalfBound{0x1.4p-21f, 0x1.4p-126f, dy, op_info(nd.op).cheap, dy_far, z.zone};
}

bool slope_zone(Op op, SlopeZone& zone, float* at) {
  const ZoneRow& z = kZones[int(op)];
  zone = z.zone;
  for (int k = 0; k < z.params; ++k) at[k] = z.at[k];
  return z.stated;
}

uint16_t exact_half(const Program& f, Half h, float x, bool gradient, float dy) {
  double v = eval(f, 0, double(x), gradient);
  if (gradient) v = v == 0 ? 0.0 : v * double(dy);
  if (!std::isfinite(v) || v == 0 || !std::isfinite(dy)) return double_to_half(h, v);
  // The boundary next to v: where v is within 2^-40 of it, the double value cannot say on which
  // side the exact one is.
  const int digits = h == Half::Bf16 ? 8 : 11, emin = h == Half::Bf16 ? -126 : -14;
  int e;
  std::frexp(v, &e);
  const double unit = std::ldexp(1.0, (e - 1 > emin ? e - 1 : emin) - (digits - 1));
  const double n = std::fabs(v) / unit, tie = std::copysign((std::floor(n) + 0.5) * unit, v);
  if (std::fabs(n - std::floor(n) - 0.5) * unit > std::ldexp(std::fabs(v), -40))
    return double_to_half(h, v);
  const Node* root = &f.nodes[0];  // a blend at t = 0 or 1 is one of its sides
  while (root->blend && (root->t == 0.f || root->t == 1.f))
    root = &f.nodes[size_t(root->t == 0.f ? root->a : root->b)];
  int side = 2;  // the sign of (exact - tie); 0: the tie itself, rounded to even
  if (!root->blend && op_info(root->op).cheap)
    side = side_of(*root, double(x), gradient, dy, tie);
  else
    side = side_of_smooth(f, double(x), gradient, double(dy), v, tie);
  if (side == 2) return double_to_half(h, v);
  return double_to_half(h, tie + side * 0.25 * unit);
}

}  // namespace ak
