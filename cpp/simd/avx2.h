// AVX2 + FMA: 8 floats. Compiled only in the translation unit built with -mavx2 -mfma.
#pragma once

#include <immintrin.h>

#include "half_ops.h"
#include "scalar.h"

namespace ak {
inline namespace AK_ISA_NS {

struct Mask8 {
  __m256 m;
};
struct Vec8 {
  __m256 v;
  Vec8() = default;
  Vec8(__m256 x) : v(x) {}
  explicit Vec8(float s) : v(_mm256_set1_ps(s)) {}
};

inline Vec8 operator+(Vec8 a, Vec8 b) { return _mm256_add_ps(a.v, b.v); }
inline Vec8 operator-(Vec8 a, Vec8 b) { return _mm256_sub_ps(a.v, b.v); }
inline Vec8 operator*(Vec8 a, Vec8 b) { return _mm256_mul_ps(a.v, b.v); }
inline Vec8 operator/(Vec8 a, Vec8 b) { return _mm256_div_ps(a.v, b.v); }
inline Vec8 operator-(Vec8 a) { return _mm256_xor_ps(a.v, _mm256_set1_ps(-0.f)); }
inline Mask8 operator<(Vec8 a, Vec8 b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_LT_OQ)}; }
inline Mask8 operator<=(Vec8 a, Vec8 b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_LE_OQ)}; }
inline Mask8 operator>(Vec8 a, Vec8 b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_GT_OQ)}; }
inline Mask8 operator>=(Vec8 a, Vec8 b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_GE_OQ)}; }
inline Mask8 operator==(Vec8 a, Vec8 b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_EQ_OQ)}; }
inline Mask8 operator&(Mask8 a, Mask8 b) { return {_mm256_and_ps(a.m, b.m)}; }
inline Mask8 operator|(Mask8 a, Mask8 b) { return {_mm256_or_ps(a.m, b.m)}; }

inline Vec8 select(Mask8 m, Vec8 a, Vec8 b) { return _mm256_blendv_ps(b.v, a.v, m.m); }
inline bool any_true(Mask8 m) { return _mm256_movemask_ps(m.m) != 0; }
inline Mask8 is_nan(Vec8 x) { return {_mm256_cmp_ps(x.v, x.v, _CMP_UNORD_Q)}; }
inline Vec8 minv(Vec8 a, Vec8 b) { return _mm256_min_ps(a.v, b.v); }
inline Vec8 maxv(Vec8 a, Vec8 b) { return _mm256_max_ps(a.v, b.v); }
inline Vec8 absv(Vec8 x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.f), x.v); }
inline Vec8 zero_with_sign(Vec8 x) { return _mm256_and_ps(_mm256_set1_ps(-0.f), x.v); }
inline Vec8 fmadd(Vec8 a, Vec8 b, Vec8 c) { return _mm256_fmadd_ps(a.v, b.v, c.v); }
inline Vec8 fmsub(Vec8 a, Vec8 b, Vec8 c) { return _mm256_fmsub_ps(a.v, b.v, c.v); }
inline Vec8 fnmadd(Vec8 a, Vec8 b, Vec8 c) { return _mm256_fnmadd_ps(a.v, b.v, c.v); }
inline Vec8 pow2_biased(Vec8 b) {
  __m256i e = _mm256_slli_epi32(_mm256_castps_si256(b.v), 23);
  return _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_set1_epi32(0x3f800000)));
}
inline Vec8 pow2i(Vec8 k) {
  __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(k.v), _mm256_set1_epi32(127));
  return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
}

template <>
inline Vec8 load<Vec8>(const float* p) {
  return _mm256_loadu_ps(p);
}
inline void store(float* p, Vec8 v) { _mm256_storeu_ps(p, v.v); }
inline void store_stream(float* p, Vec8 v) { _mm256_stream_ps(p, v.v); }

template <>
struct Lanes<Vec8> {
  static constexpr int count = 8;
};

// F16C (every AVX2 + FMA processor has it; this unit is built with -mf16c) for float16; bfloat16
// is the top half of a float32: a shift to widen, an integer add (round to nearest even) and a
// pack to narrow. NaN: the caller makes it the canonical one first (cpp/cpu/kernels.h).
template <>
struct HalfOps<Vec8> {
  using H = __m128i;
  template <Half F>
  static Vec8 widen(const uint16_t* p) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if constexpr (F == Half::F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  template <Half F>
  static H narrow(Vec8 v) {
    if constexpr (F == Half::F16) return _mm256_cvtps_ph(v.v, _MM_FROUND_TO_NEAREST_INT);
    __m256i b = _mm256_castps_si256(v.v);
    __m256i odd = _mm256_and_si256(_mm256_srli_epi32(b, 16), _mm256_set1_epi32(1));
    return high_halves(_mm256_add_epi32(b, _mm256_add_epi32(_mm256_set1_epi32(0x7fff), odd)));
  }
  template <Half F>
  static H narrow_exact(Vec8 v) {
    if constexpr (F == Half::F16) return narrow<F>(v);
    return high_halves(_mm256_castps_si256(v.v));
  }
  static H high_halves(__m256i b) {  // the high 16 bits of each lane, in order
    b = _mm256_srli_epi32(b, 16);
    __m256i packed = _mm256_packus_epi32(b, b);  // per 128-bit lane: 4 values twice
    return _mm256_castsi256_si128(_mm256_permute4x64_epi64(packed, 0x08));
  }
  static void store_h(uint16_t* p, H h) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), h); }
  static void store_h_stream(uint16_t* p, H h) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(p), h);
  }
  static bool differ(H a, H b) { return _mm_movemask_epi8(_mm_cmpeq_epi16(a, b)) != 0xffff; }
};

}  // namespace AK_ISA_NS
}  // namespace ak
