// The scalar "vector": plain float. Serves the scalar CPU path, the tails of every SIMD loop,
// and CUDA (where AK_HD is __host__ __device__). Every SIMD wrapper provides the same free
// functions with the same semantics, so one formula template fits all of them.
#pragma once

#include <cstdint>
#include <cstring>
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(__CUDACC__)
#include <xmmintrin.h>
#define AK_SCALAR_SSE 1
#endif

#include "../types.h"

#ifdef __CUDACC__
#define AK_HD __host__ __device__ __forceinline__
#else
#define AK_HD inline __attribute__((always_inline))
#endif

namespace ak {
inline namespace AK_ISA_NS {

AK_HD float as_float(int32_t i) {
#ifdef __CUDA_ARCH__
  return __int_as_float(i);
#else
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
#endif
}

AK_HD int32_t as_int(float f) {
#ifdef __CUDA_ARCH__
  return __float_as_int(f);
#else
  int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i;
#endif
}

// Comparisons on float give bool; `select` picks per lane. NaN compares false everywhere.
AK_HD float select(bool m, float a, float b) { return m ? a : b; }
AK_HD bool any_true(bool m) { return m; }
AK_HD bool is_nan(float x) { return x != x; }
// min/max return b when a is NaN (the x86 minps/maxps rule), on every path.
// On x86 as minss/maxss themselves: the compiler makes the plain ?: a branch, which random
// signs mispredict (relu on the scalar path was 20x slower so).
AK_HD float minv(float a, float b) {
#ifdef AK_SCALAR_SSE
  return _mm_cvtss_f32(_mm_min_ss(_mm_set_ss(a), _mm_set_ss(b)));
#else
  return a < b ? a : b;
#endif
}
AK_HD float maxv(float a, float b) {
#ifdef AK_SCALAR_SSE
  return _mm_cvtss_f32(_mm_max_ss(_mm_set_ss(a), _mm_set_ss(b)));
#else
  return a > b ? a : b;
#endif
}
// (on the device fabsf, which its consumers take as an operand modifier: no instruction)
AK_HD float absv(float x) {
#ifdef __CUDA_ARCH__
  return fabsf(x);
#else
  return as_float(as_int(x) & 0x7fffffff);
#endif
}
// +0 or -0 with the sign of x: the limit of x * (something vanishing).
AK_HD float zero_with_sign(float x) { return as_float(as_int(x) & int32_t(0x80000000)); }

// a*b + c with one rounding, on every path (an instruction where the target has FMA, libm's
// exact fmaf on an x86 baseline build): the error-free steps of math.h rely on it.
AK_HD float fmadd(float a, float b, float c) {
#if defined(__CUDACC__)
  return fmaf(a, b, c);
#else
  return __builtin_fmaf(a, b, c);
#endif
}

// 1 / d, correctly rounded, for normal d with |d| < 2^126 (every caller's denominator is in
// [1/2, 2^64)). On the device: the reciprocal estimate and one Newton step, which is the IEEE
// reciprocal's own path for such d, without its range test and the call past it (6 of the 10
// instructions it costs an element).
AK_HD float recip(float d) {
#ifdef __CUDA_ARCH__
  float r;
  asm("rcp.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(d));
  return fmaf(r, fmaf(-d, r, 1.f), r);
#else
  return 1.f / d;
#endif
}

// div_rn(a, b) and div_rn_plus(a, b): a / b for b in [1, 16], correctly rounded where a is 0,
// +-Inf, NaN, at least 2^-96 in magnitude, or b is a power of two; elsewhere (a quotient under
// 2^-96) within an ulp of it. On the CPU an IEEE division. The CUDA code (device, and its host
// compile that the tests run) takes the reciprocal and one correction, q0 + (a - b q0) / b with
// 1/b rounded (Markstein's theorem: the residual is exact and the sum rounds to the quotient),
// without the IEEE division's range test and the call past it.
// div_rn_plus is for a finite a that is not -0 (wherever the caller uses the quotient): the
// correction alone then gives it, +0 included, without div_rn's test (2 instructions an element).
AK_HD float div_rn_plus(float a, float b) {
#ifdef __CUDACC__
  float y = recip(b);
  float q0 = a * y;
  return fmaf(fmaf(-b, q0, a), y, q0);
#else
  return a / b;
#endif
}
// (written out, not through div_rn_plus: nvcc then placed the test less well, up to 0.75
// instructions an element more in silu, approxMish and geluTanh)
AK_HD float div_rn(float a, float b) {
#ifdef __CUDACC__
  float y = recip(b);
  float q0 = a * y;
  float q = fmaf(fmaf(-b, q0, a), y, q0);
  // an infinite or zero q0 is the quotient (the residual would be NaN, or +0 beside -0)
  return absv(q0) <= 3.40282347e38f && q0 != 0.f ? q : q0;
#else
  return a / b;
#endif
}

// a*b - c and c - a*b, one rounding.
// On the device in PTX: where c = a b (the error of a product), the compiler would otherwise
// form -c as a second product a (-b) instead of negating an operand of the fma.
AK_HD float fmsub(float a, float b, float c) {
#ifdef __CUDA_ARCH__
  float r;
  asm("{ .reg .f32 t; neg.f32 t, %3; fma.rn.f32 %0, %1, %2, t; }"
      : "=f"(r)
      : "f"(a), "f"(b), "f"(c));
  return r;
#else
  return fmadd(a, b, -c);
#endif
}
AK_HD float fnmadd(float a, float b, float c) { return fmadd(-a, b, c); }

// Whether V has scalef(v, k) = v * 2^k in one instruction, rounded once (AVX-512); math.h
// applies 2^k as a bit pattern elsewhere.
template <class V>
struct HasScalef {
  static constexpr bool value = false;
};

// x + 1.5 2^23 has no bits below 1: for |x| < 2^22 it rounds x to the nearest integer k (ties to
// even), so (x + kRoundMagic) - kRoundMagic is k, without libm, and the sum holds k in its low
// bits.
constexpr float kRoundMagic = 12582912.f;

// 2^k from b = k + kRoundMagic (k an integer in [-127, 128]; k = -127 gives +0, 128 +Inf): k sits
// in b's low bits, so a shift and an add, no conversion.
AK_HD float pow2_biased(float b) {
  return as_float(int32_t((uint32_t(as_int(b)) << 23) + 0x3f800000u));
}

// 2^k for an integral k in [-127, 128]: k = -127 gives +0, k = 128 gives +Inf.
// On the device from k + 1.5 2^23, which carries k in its low bits: an add where a conversion
// (a quarter-rate instruction there) would be.
AK_HD float pow2i(float k) {
#ifdef __CUDA_ARCH__
  return pow2_biased(k + kRoundMagic);
#else
  return as_float((int32_t(k) + 127) << 23);
#endif
}

template <class V>
AK_HD V load(const float* p);
template <>
AK_HD float load<float>(const float* p) {
  return *p;
}
AK_HD void store(float* p, float v) { *p = v; }
// A store that bypasses the caches (p aligned to the vector), and the fence that orders such
// stores before the call returns; plain on the scalar path.
AK_HD void store_stream(float* p, float v) { *p = v; }
inline void stream_fence() {
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(__CUDA_ARCH__)
  __builtin_ia32_sfence();
#endif
}

template <class V>
struct Lanes {
  static constexpr int count = 1;
};

}  // namespace AK_ISA_NS
}  // namespace ak
