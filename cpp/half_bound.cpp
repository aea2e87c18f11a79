#include "half_bound.h"

#include <type_traits>

#include "dispatch.h"

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

}  // namespace ak
