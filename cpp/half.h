// The two half-precision formats, and their conversions in plain integer code: bfloat16 (the top
// 16 bits of a float32: 8 significant bits, float32's exponent range) and IEEE 754 binary16
// (float16: 11 significant bits, normal from 2^-14, largest finite 65504). Every SIMD path's own
// conversion instructions (cpp/simd/half_ops.h and the wrappers) give these bits.
//
// Narrowing rounds to nearest, ties to even, subnormals and overflow included (float16: |v| >=
// 65520 gives Inf). A NaN becomes the one quiet NaN of the format, positive: 0x7fc0 (bfloat16),
// 0x7e00 (float16); the sign of a NaN is not kept, as a NaN an operation makes has a different
// sign on x86 and on Arm. Widening is exact; a NaN keeps its sign and payload and is made quiet
// (what vcvtph2ps and fcvt do).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

// Plain code for the CUDA kernels too (cuda/half_kernels.cu): host and device give these bits.
#ifdef __CUDACC__
#define AK_HALF_HD __host__ __device__ inline
#else
#define AK_HALF_HD inline
#endif

namespace ak {

enum class Half : int { Bf16 = 0, F16 = 1 };

constexpr uint16_t kBf16Nan = 0x7fc0;
constexpr uint16_t kF16Nan = 0x7e00;

AK_HALF_HD uint32_t float_bits(float f) {
#ifdef __CUDA_ARCH__
  return __float_as_uint(f);
#else
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
#endif
}
AK_HALF_HD float bits_float(uint32_t b) {
#ifdef __CUDA_ARCH__
  return __uint_as_float(b);
#else
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
#endif
}

AK_HALF_HD float bf16_to_float(uint16_t h) { return bits_float(uint32_t(h) << 16); }

AK_HALF_HD float f16_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e == 0x1f) return bits_float(sign | 0x7f800000 | (m << 13) | (m ? 0x400000 : 0));
  if (e == 0) {  // zero or subnormal: m 2^-24, exact in float
    float v = float(m) * 5.9604644775390625e-8f;
    return bits_float(sign | float_bits(v));
  }
  return bits_float(sign | ((e + 112) << 23) | (m << 13));
}

AK_HALF_HD uint16_t float_to_bf16(float f) {
  uint32_t b = float_bits(f);
  if ((b & 0x7fffffff) > 0x7f800000) return kBf16Nan;
  return uint16_t((b + 0x7fff + ((b >> 16) & 1)) >> 16);  // a carry into the exponent is right
}

AK_HALF_HD uint16_t float_to_f16(float f) {
  uint32_t b = float_bits(f), a = b & 0x7fffffff;
  uint16_t sign = uint16_t((b >> 16) & 0x8000);
  if (a > 0x7f800000) return kF16Nan;
  if (a >= 0x477ff000) return sign | 0x7c00;  // >= 65520: half-way to 2^16 and beyond
  if (a >= 0x38800000)                        // >= 2^-14: normal
    return sign | uint16_t(((a + 0xfff + ((a >> 13) & 1)) >> 13) - (112 << 10));
  // Subnormal (or zero): round m 2^(e - 150) to a multiple of 2^-24.
  uint32_t e = a >> 23;
  if (e < 102) return sign;  // below 2^-25: to zero (never a tie: m < 2^24)
  uint32_t m = (a & 0x7fffff) | 0x800000, shift = 126 - e;  // shift in [14, 24]
  uint32_t q = m >> shift, rest = m & ((1u << shift) - 1), half = 1u << (shift - 1);
  if (rest > half || (rest == half && (q & 1))) ++q;
  return sign | uint16_t(q);
}

AK_HALF_HD float half_to_float(Half h, uint16_t u) {
  return h == Half::Bf16 ? bf16_to_float(u) : f16_to_float(u);
}
AK_HALF_HD uint16_t float_to_half(Half h, float f) {
  return h == Half::Bf16 ? float_to_bf16(f) : float_to_f16(f);
}

// A double rounded once, straight to the format (never through float: that would round twice).
AK_HALF_HD uint16_t double_to_half(Half h, double d) {
#ifndef __CUDACC__
  using std::frexp;
  using std::ldexp;
  using std::rint;
#endif
  if (d != d) return h == Half::Bf16 ? kBf16Nan : kF16Nan;
  const int digits = h == Half::Bf16 ? 8 : 11, emin = h == Half::Bf16 ? -126 : -14;
  const bool negative = d < 0 || (d == 0 && 1 / d < 0);
  const double a = negative ? -d : d;
  double r = a;  // a rounded to the format's precision at its exponent (unbounded above)
  if (a != 0 && a - a == 0) {
    int e;
    frexp(a, &e);                                          // a in [2^(e-1), 2^e)
    int q = (e - 1 > emin ? e - 1 : emin) - (digits - 1);  // the exponent of one unit there
    r = ldexp(rint(ldexp(a, -q)), q);  // exact steps; rint in the default mode: ties to even
  }
  // r is a value of the format, or past its largest finite one: float holds it exactly
  // (or as Inf, where bfloat16's Inf is right too), and the float conversion is then exact.
  float v = r >= 3.4028236692093846e38 ? bits_float(0x7f800000) : float(r);
  return float_to_half(h, negative ? -v : v);
}

}  // namespace ak
