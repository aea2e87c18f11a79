// Loading and storing a vector of half-precision values (cpp/half.h): HalfOps<V> widens W halves
// to a V and narrows a V to W halves (H; narrow_exact for values already of the format), for the
// half-precision loops of cpp/cpu/kernels.h. This generic form goes lane by lane through the
// plain conversions (the scalar path, and any ISA without its own); avx2.h and avx512.h
// specialize it with the conversion instructions. Every form gives the same bits.
#pragma once

#include <cstring>

#include "../half.h"
#include "scalar.h"

namespace ak {
inline namespace AK_ISA_NS {

template <class V>
struct HalfOps {
  static constexpr int W = Lanes<V>::count;
  struct H {
    uint16_t v[W];
  };
  template <Half F>
  static V widen(const uint16_t* p) {
    alignas(64) float t[W];
    for (int l = 0; l < W; ++l) t[l] = half_to_float(F, p[l]);
    return load<V>(t);
  }
  template <Half F>
  static H narrow(V v) {
    alignas(64) float t[W];
    store(t, v);
    H h;
    for (int l = 0; l < W; ++l) h.v[l] = float_to_half(F, t[l]);
    return h;
  }
  // v holds values of the format (or the canonical NaN): bfloat16 takes their high halves
  // without rounding; float16 narrows as above.
  template <Half F>
  static H narrow_exact(V v) {
    if constexpr (F == Half::F16) return narrow<F>(v);
    alignas(64) float t[W];
    store(t, v);
    H h;
    for (int l = 0; l < W; ++l) h.v[l] = uint16_t(uint32_t(as_int(t[l])) >> 16);
    return h;
  }
  static void store_h(uint16_t* p, H h) { std::memcpy(p, h.v, sizeof h.v); }
  static void store_h_stream(uint16_t* p, H h) { std::memcpy(p, h.v, sizeof h.v); }
  static bool differ(H a, H b) { return std::memcmp(a.v, b.v, sizeof a.v) != 0; }
};

}  // namespace AK_ISA_NS
}  // namespace ak
