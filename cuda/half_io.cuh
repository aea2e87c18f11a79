// Loading and storing one half-precision element in CUDA code: the device's conversion
// instructions, and cpp/half.h's plain code where the same source runs on the host (the tests'
// runs of the kernels' loops). Both give cpp/half.h's bits.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "../cpp/half.h"
#include "../cpp/simd/scalar.h"

namespace ak {
namespace gpu {

template <Half F>
AK_HD float widen(uint16_t u) {
#ifdef __CUDA_ARCH__
  if constexpr (F == Half::F16) return __half2float(__ushort_as_half(u));
#endif
  return half_to_float(F, u);
}

// v is not a NaN (the half kernels settle those lanes): the conversion instructions round to
// nearest even, subnormals and overflow included, as cpp/half.h does.
template <Half F>
AK_HD uint16_t narrow(float v) {
#ifdef __CUDA_ARCH__
  if constexpr (F == Half::F16)
    return __half_as_ushort(__float2half_rn(v));
  else
    return __bfloat16_as_ushort(__float2bfloat16_rn(v));
#else
  return float_to_half(F, v);
#endif
}

// The same with the format chosen at run time (one branch, the same way across a warp): a kernel
// for both formats.
AK_HD float widen(Half h, uint16_t u) {
  return h == Half::Bf16 ? widen<Half::Bf16>(u) : widen<Half::F16>(u);
}
AK_HD uint16_t narrow(Half h, float v) {
  return h == Half::Bf16 ? narrow<Half::Bf16>(v) : narrow<Half::F16>(v);
}

}  // namespace gpu
}  // namespace ak
