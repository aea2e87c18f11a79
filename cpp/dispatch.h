// From an op to its formula, generated from the registry (cpp/ops.h) and shared by the CPU loops
// and the CUDA kernels: with_activation(op, p, fallback, f) calls f(Tag<A, op>()) for the formula
// struct A of op and returns what f returns, or fallback where op is none (a blend node).
// kPlain: where A states a plain variant and p is its parameters, f gets that variant's Tag
// instead (the loops and kernels of forward and backward); without it A decides per call.
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

// A formula with a cheaper path at its common parameters may state it as a struct of its own,
// `using Plain = P;` with `static bool plain(const Params&)`: where plain(p) holds, P's forward
// and backward give A's bits (and P may state a plainer one in turn). The loops that take it then
// carry no other path (a GPU thread would test the parameters at every element).
template <class A, class = void>
struct HasPlain : std::false_type {};
template <class A>
struct HasPlain<A, std::void_t<typename A::Plain>> : std::true_type {};

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
template <bool kPlain, class A, Op kOp, class F>
AK_HD auto with_formula(const Params& p, const F& f) {
  if constexpr (kPlain && HasPlain<A>::value)
    if (A::plain(p)) return with_formula<kPlain, typename A::Plain, kOp>(p, f);
  return f(Tag<A, kOp>());
}

#ifdef __CUDACC__
#pragma nv_exec_check_disable  // as for with_formula
#endif
template <bool kPlain = false, class R, class F>
AK_HD R with_activation(Op op, const Params& p, R fallback, const F& f) {
  switch (op) {
#define AK_OP_CASE(Formula, name, params, trainable, cheap) \
  case Op::Formula: return with_formula<kPlain, Formula, Op::Formula>(p, f);
    AK_OPS(AK_OP_CASE)
#undef AK_OP_CASE
    default: return fallback;
  }
}

}  // namespace AK_ISA_NS
}  // namespace ak
