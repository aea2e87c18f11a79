// NEON (AArch64): 4 floats. vminq/vmaxq propagate NaN where x86 returns the second operand;
// every formula multiplies by x (or tests x) after clamping, so NaN still reaches the output.
#pragma once

#include <arm_neon.h>

#include "scalar.h"

namespace ak {
inline namespace AK_ISA_NS {

struct Mask4 {
  uint32x4_t m;
};
struct Vec4 {
  float32x4_t v;
  Vec4() = default;
  Vec4(float32x4_t x) : v(x) {}
  explicit Vec4(float s) : v(vdupq_n_f32(s)) {}
};

inline Vec4 operator+(Vec4 a, Vec4 b) { return vaddq_f32(a.v, b.v); }
inline Vec4 operator-(Vec4 a, Vec4 b) { return vsubq_f32(a.v, b.v); }
inline Vec4 operator*(Vec4 a, Vec4 b) { return vmulq_f32(a.v, b.v); }
inline Vec4 operator/(Vec4 a, Vec4 b) { return vdivq_f32(a.v, b.v); }
inline Vec4 operator-(Vec4 a) { return vnegq_f32(a.v); }
inline Mask4 operator<(Vec4 a, Vec4 b) { return {vcltq_f32(a.v, b.v)}; }
inline Mask4 operator<=(Vec4 a, Vec4 b) { return {vcleq_f32(a.v, b.v)}; }
inline Mask4 operator>(Vec4 a, Vec4 b) { return {vcgtq_f32(a.v, b.v)}; }
inline Mask4 operator>=(Vec4 a, Vec4 b) { return {vcgeq_f32(a.v, b.v)}; }
inline Mask4 operator==(Vec4 a, Vec4 b) { return {vceqq_f32(a.v, b.v)}; }
inline Mask4 operator&(Mask4 a, Mask4 b) { return {vandq_u32(a.m, b.m)}; }
inline Mask4 operator|(Mask4 a, Mask4 b) { return {vorrq_u32(a.m, b.m)}; }

inline Vec4 select(Mask4 m, Vec4 a, Vec4 b) { return vbslq_f32(m.m, a.v, b.v); }
inline bool any_true(Mask4 m) { return vmaxvq_u32(m.m) != 0; }
inline Mask4 is_nan(Vec4 x) { return {vmvnq_u32(vceqq_f32(x.v, x.v))}; }
inline Vec4 minv(Vec4 a, Vec4 b) { return vminq_f32(a.v, b.v); }
inline Vec4 maxv(Vec4 a, Vec4 b) { return vmaxq_f32(a.v, b.v); }
inline Vec4 absv(Vec4 x) { return vabsq_f32(x.v); }
inline Vec4 zero_with_sign(Vec4 x) {
  return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(x.v), vdupq_n_u32(0x80000000u)));
}
inline Vec4 fmadd(Vec4 a, Vec4 b, Vec4 c) { return vfmaq_f32(c.v, a.v, b.v); }
// a b + (-c), as x86's vfmsub: -(c - a b) would make an exact zero -0 where x86 gives +0
inline Vec4 fmsub(Vec4 a, Vec4 b, Vec4 c) { return vfmaq_f32(vnegq_f32(c.v), a.v, b.v); }
inline Vec4 fnmadd(Vec4 a, Vec4 b, Vec4 c) { return vfmsq_f32(c.v, a.v, b.v); }
inline Vec4 pow2_biased(Vec4 b) {
  uint32x4_t e = vshlq_n_u32(vreinterpretq_u32_f32(b.v), 23);
  return vreinterpretq_f32_u32(vaddq_u32(e, vdupq_n_u32(0x3f800000u)));
}
inline Vec4 pow2i(Vec4 k) {
  int32x4_t e = vaddq_s32(vcvtq_s32_f32(k.v), vdupq_n_s32(127));
  return vreinterpretq_f32_s32(vshlq_n_s32(e, 23));
}

template <>
inline Vec4 load<Vec4>(const float* p) {
  return vld1q_f32(p);
}
inline void store(float* p, Vec4 v) { vst1q_f32(p, v.v); }
inline void store_stream(float* p, Vec4 v) { vst1q_f32(p, v.v); }

template <>
struct Lanes<Vec4> {
  static constexpr int count = 4;
};

}  // namespace AK_ISA_NS
}  // namespace ak
