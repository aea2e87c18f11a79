// From an op to its formula, generated from the registry (cpp/ops.h) and shared by the CPU loops
// and the CUDA kernels: with_activation(op, p, fallback, f) calls f(Tag<A, op>()) for the formula
// struct A of op and returns what f returns, or fallback where op is none (a blend node).
// kPlainAptx: aptx at its plain parameters (prepare set kPlain) is AptxPlain, a kernel that
// carries no other path (the CPU loops); without it Aptx decides per call.
#pragma once

#include <type_traits>

#include "activations.h"
#include "activations_classic.h"

namespace ak {
inline namespace AK_ISA_NS {

// A formula whose forward and backward only select among x, dy and constants states
// `static constexpr bool kExact = true`: its float32 results are exact, so the half-precision
// passes narrow them in one pass, without a check (exact_pass, cpp/cpu/kernels.h).
template <class A, class = void>
struct ExactFormula : std::false_type {};
template <class A>
struct ExactFormula<A, std::void_t<decltype(A::kExact)>> : std::bool_constant<A::kExact> {};

template <class A, Op kOp>
struct Tag {
  using type = A;
  static constexpr Op op = kOp;
  static constexpr int params = op_info(kOp).params;
  static constexpr bool trainable = op_info(kOp).trainable;
};

#ifdef __CUDACC__
#pragma nv_exec_check_disable  // f is host-only where the caller is (the launch dispatch)
#endif
template <bool kPlainAptx = false, class R, class F>
AK_HD R with_activation(Op op, const Params& p, R fallback, const F& f) {
  if constexpr (kPlainAptx)
    if (op == Op::Aptx && p.v[Aptx::kPlain] != 0.f) return f(Tag<AptxPlain, Op::Aptx>());
  switch (op) {
#define AK_OP_CASE(Formula, name, params, trainable, cheap) \
  case Op::Formula: return f(Tag<Formula, Op::Formula>());
    AK_OPS(AK_OP_CASE)
#undef AK_OP_CASE
    default: return fallback;
  }
}

}  // namespace AK_ISA_NS
}  // namespace ak
