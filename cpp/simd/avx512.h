// AVX-512F: 16 floats. Compiled only in the translation unit built with -mavx512f.
#pragma once

#include <immintrin.h>

#include "half_ops.h"
#include "scalar.h"

namespace ak {
inline namespace AK_ISA_NS {

struct Mask16 {
  __mmask16 m;
};
struct Vec16 {
  __m512 v;
  Vec16() = default;
  Vec16(__m512 x) : v(x) {}
  explicit Vec16(float s) : v(_mm512_set1_ps(s)) {}
};

inline Vec16 operator+(Vec16 a, Vec16 b) { return _mm512_add_ps(a.v, b.v); }
inline Vec16 operator-(Vec16 a, Vec16 b) { return _mm512_sub_ps(a.v, b.v); }
inline Vec16 operator*(Vec16 a, Vec16 b) { return _mm512_mul_ps(a.v, b.v); }
inline Vec16 operator/(Vec16 a, Vec16 b) { return _mm512_div_ps(a.v, b.v); }
inline Vec16 operator-(Vec16 a) {
  return _mm512_castsi512_ps(
      _mm512_xor_si512(_mm512_castps_si512(a.v), _mm512_set1_epi32(int32_t(0x80000000))));
}
inline Mask16 operator<(Vec16 a, Vec16 b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_LT_OQ)}; }
inline Mask16 operator<=(Vec16 a, Vec16 b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_LE_OQ)}; }
inline Mask16 operator>(Vec16 a, Vec16 b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_GT_OQ)}; }
inline Mask16 operator>=(Vec16 a, Vec16 b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_GE_OQ)}; }
inline Mask16 operator==(Vec16 a, Vec16 b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_EQ_OQ)}; }
inline Mask16 operator&(Mask16 a, Mask16 b) { return {__mmask16(a.m & b.m)}; }
inline Mask16 operator|(Mask16 a, Mask16 b) { return {__mmask16(a.m | b.m)}; }

inline Vec16 select(Mask16 m, Vec16 a, Vec16 b) { return _mm512_mask_blend_ps(m.m, b.v, a.v); }
inline bool any_true(Mask16 m) { return m.m != 0; }
inline Mask16 is_nan(Vec16 x) { return {_mm512_cmp_ps_mask(x.v, x.v, _CMP_UNORD_Q)}; }
inline Vec16 minv(Vec16 a, Vec16 b) { return _mm512_min_ps(a.v, b.v); }
inline Vec16 maxv(Vec16 a, Vec16 b) { return _mm512_max_ps(a.v, b.v); }
inline Vec16 absv(Vec16 x) {
  return _mm512_castsi512_ps(
      _mm512_and_si512(_mm512_castps_si512(x.v), _mm512_set1_epi32(0x7fffffff)));
}
inline Vec16 zero_with_sign(Vec16 x) {
  return _mm512_castsi512_ps(
      _mm512_and_si512(_mm512_castps_si512(x.v), _mm512_set1_epi32(int32_t(0x80000000))));
}
inline Vec16 fmadd(Vec16 a, Vec16 b, Vec16 c) { return _mm512_fmadd_ps(a.v, b.v, c.v); }
inline Vec16 fmsub(Vec16 a, Vec16 b, Vec16 c) { return _mm512_fmsub_ps(a.v, b.v, c.v); }
inline Vec16 fnmadd(Vec16 a, Vec16 b, Vec16 c) { return _mm512_fnmadd_ps(a.v, b.v, c.v); }
// v * 2^k for integral k, rounded once (subnormal results too); Inf and NaN as for a multiply.
inline Vec16 scalef(Vec16 v, Vec16 k) { return _mm512_scalef_ps(v.v, k.v); }
template <>
struct HasScalef<Vec16> {
  static constexpr bool value = true;
};
inline Vec16 pow2_biased(Vec16 b) {
  __m512i e = _mm512_slli_epi32(_mm512_castps_si512(b.v), 23);
  return _mm512_castsi512_ps(_mm512_add_epi32(e, _mm512_set1_epi32(0x3f800000)));
}
inline Vec16 pow2i(Vec16 k) {
  __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(k.v), _mm512_set1_epi32(127));
  return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
}

template <>
inline Vec16 load<Vec16>(const float* p) {
  return _mm512_loadu_ps(p);
}
inline void store(float* p, Vec16 v) { _mm512_storeu_ps(p, v.v); }
inline void store_stream(float* p, Vec16 v) { _mm512_stream_ps(p, v.v); }

template <>
struct Lanes<Vec16> {
  static constexpr int count = 16;
};

// vcvtph2ps/vcvtps2ph for float16; bfloat16 is the top half of a float32: a shift to widen, an
// integer add (round to nearest even) and vpmovdw to narrow (vcvtneps2bf16 would flush
// subnormals). NaN: the caller makes it the canonical one first (cpp/cpu/kernels.h).
template <>
struct HalfOps<Vec16> {
  using H = __m256i;
  template <Half F>
  static Vec16 widen(const uint16_t* p) {
    __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    if constexpr (F == Half::F16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  template <Half F>
  static H narrow(Vec16 v) {
    if constexpr (F == Half::F16)
      return _mm512_cvtps_ph(v.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512i b = _mm512_castps_si512(v.v);
    __m512i odd = _mm512_and_si512(_mm512_srli_epi32(b, 16), _mm512_set1_epi32(1));
    b = _mm512_add_epi32(b, _mm512_add_epi32(_mm512_set1_epi32(0x7fff), odd));
    return _mm512_cvtepi32_epi16(_mm512_srli_epi32(b, 16));
  }
  template <Half F>
  static H narrow_exact(Vec16 v) {
    if constexpr (F == Half::F16) return narrow<F>(v);
    return _mm512_cvtepi32_epi16(_mm512_srli_epi32(_mm512_castps_si512(v.v), 16));
  }
  static void store_h(uint16_t* p, H h) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), h); }
  static void store_h_stream(uint16_t* p, H h) {
    _mm256_stream_si256(reinterpret_cast<__m256i*>(p), h);
  }
  static bool differ(H a, H b) { return _mm256_movemask_epi8(_mm256_cmpeq_epi16(a, b)) != -1; }
};

}  // namespace AK_ISA_NS
}  // namespace ak
