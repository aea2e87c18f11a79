// Loading and storing a vector of half-precision values (cpp/half.h): HalfOps<V> widens W halves
// to a V and narrows a V to W halves (H), for the half-precision loops of cpp/cpu/kernels.h. This
// generic form goes lane by lane through the plain conversions (the scalar path, and any ISA
// without its own); avx2.h and avx512.h specialize it with the conversion instructions. Every
// form gives the same bits.
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
  static void store_h(uint16_t* p, H h) { std::memcpy(p, h.v, sizeof h.v); }
  static void store_h_stream(uint16_t* p, H h) { std::memcpy(p, h.v, sizeof h.v); }
  // r narrowed into out, and a bit per lane (lane l: bit l) where the values within bound of r
  // may not all round as r does, or r is a NaN. A lane with bound 0 is r exactly: never open
  // unless a NaN.
  template <Half F>
  static unsigned narrow_open(V r, V bound, H& out) {
    out = narrow<F>(r);
    V a = absv(r);
    return open_pair<F>(a - bound, a + bound, is_nan(r));
  }
  // The lanes where lo and hi round apart, or nan holds.
  template <Half F, class M>
  static unsigned open_pair(V lo, V hi, M nan) {
    H nlo = narrow<F>(lo), nhi = narrow<F>(hi);
    alignas(64) float t[W];
    store(t, select(nan, V(1.f), V(0.f)));
    unsigned bits = 0;
    for (int l = 0; l < W; ++l) bits |= unsigned(nlo.v[l] != nhi.v[l] || t[l] != 0.f) << l;
    return bits;
  }
};

}  // namespace AK_ISA_NS
}  // namespace ak
