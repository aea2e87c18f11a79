// How far a float32 result may be from the exact value, for rounding it to a half-precision
// format (docs/design.md, Half precision): the accuracy contract of docs/targets.md, stated once
// here (half_bound) for the CPU passes (cpp/cpu/kernels.h) and the CUDA kernels
// (cuda/half_kernels.cu) alike. A lane whose interval around its result holds a rounding
// boundary of the format is settled exactly (cpp/exact_half.h).
#pragma once

#include "program.h"
#include "simd/scalar.h"

namespace ak {

// |r|·rel + abs (+ |dy|·dy for a gradient). zero_exact: a zero r is the exact result, sign
// included (the cheap ops).
struct HalfBound {
  float rel, abs, dy;
  bool zero_exact;
  // A gradient whose slope is relatively accurate outside a zone (cpp/types.h, SlopeZone) needs
  // |dy|·dy only for x in the zone and |dy|·dy_far elsewhere.
  float dy_far;
  SlopeZone zone;
  AK_HD bool zoned() const { return dy_far != dy; }
};

// The bound of one activation node's float32 result (forward, or the gradient f'(x)·dy).
HalfBound half_bound(const Node& nd, bool gradient);

// The zone op's formula states (cpp/types.h, SlopeZone) and the op_info(op).params parameters it
// states it at (at[]); false where it states none.
bool slope_zone(Op op, SlopeZone& zone, float* at);

inline namespace AK_ISA_NS {

// The bound of one vector or lane of results r at x (dy null for forward): the one statement of
// it, for the CPU's narrow_step and a blend's sides, and for the CUDA kernels.
template <class V2>
AK_HD V2 lane_bound(const HalfBound& b, V2 x, V2 r, const float* dy, size_t i) {
  V2 bound = fmadd(absv(r), V2(b.rel), V2(b.abs));
  if (!dy) return bound;
  V2 slack(b.dy);
  if (b.zoned()) slack = select((x >= V2(b.zone.lo)) & (x <= V2(b.zone.hi)), slack, V2(b.dy_far));
  return fmadd(absv(load<V2>(dy + i)), slack, bound);
}

// The bound of a blend (1 - t) a + t b of results a and b within ea and eb: the blend of their
// bounds plus 2^-22 of each term (its rounding, doubled); t = 0 and t = 1 take one side as it
// is. blend_rounding is what the blended value y adds of its own. For the CPU's tiles and the
// CUDA kernels' stack alike.
AK_HD float blend_bound(float t, float a, float ea, float b, float eb) {
  if (t == 0.f) return ea;
  if (t == 1.f) return eb;
  return (1.f - t) * (ea + 0x1p-22f * absv(a)) + t * (eb + 0x1p-22f * absv(b));
}
AK_HD float blend_rounding(float t, float y) {
  return t == 0.f || t == 1.f ? 0.f : 0x1p-22f * absv(y);
}

}  // namespace AK_ISA_NS
}  // namespace ak
