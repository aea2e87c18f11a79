// The activation type of each op, written once: with_activation(op, p, f) calls f(Tag<A>()) for
// the formula struct A of op and returns what f returns, or fallback where op has none (the blend
// node). kPlainAptx: aptx at its plain parameters (prepare_params set kPlain) is AptxPlain, a
// kernel that carries no other path (the CPU loops); without it Aptx decides per call.
#pragma once

#include "activations.h"
#include "activations_classic.h"

namespace ak {
inline namespace AK_ISA_NS {

template <class A>
struct Tag {
  using type = A;
};

#ifdef __CUDACC__
#pragma nv_exec_check_disable  // f is host-only where the caller is (the launch dispatch)
#endif
template <bool kPlainAptx = false, class R, class F>
AK_HD R with_activation(Op op, const Params& p, R fallback, const F& f) {
  switch (op) {
    case Op::Relu: return f(Tag<Relu>());
    case Op::Mish: return f(Tag<Mish>());
    case Op::Swish: return f(Tag<Swish>());
    case Op::HardGate: return f(Tag<HardGate>());
    case Op::ApproxMish: return f(Tag<ApproxMish>());
    case Op::LinearSwish: return f(Tag<LinearSwish>());
    case Op::Aptx:
      if (kPlainAptx && p.v[Aptx::kPlain] != 0.f) return f(Tag<AptxPlain>());
      return f(Tag<Aptx>());
    case Op::Gelu: return f(Tag<Gelu>());
    case Op::GeluTanh: return f(Tag<GeluTanh>());
    case Op::Sigmoid: return f(Tag<Sigmoid>());
    case Op::Tanh: return f(Tag<Tanh>());
    case Op::Softplus: return f(Tag<Softplus>());
    case Op::Elu: return f(Tag<Elu>());
    case Op::Selu: return f(Tag<Selu>());
    case Op::LeakyRelu: return f(Tag<LeakyRelu>());
    default: return fallback;
  }
}

}  // namespace AK_ISA_NS
}  // namespace ak
