// Evaluation of a Program (on the device, and on the host for the check of cuda/accuracy.cu): the
// formulas of cpp/activations.h instantiated with V = float, dispatched by op, and blends evaluated
// per element with a small stack. Shared by cuda/kernels.cu and cuda/accuracy.cu (each includes it
// once, in its own AK_ISA_NS).
#pragma once

#include "../cpp/activations.h"
#include "../cpp/activations_classic.h"
#include "kernels.h"

namespace ak {
namespace gpu {

template <class A>
struct ForwardOf {
  AK_HD static float at(float x, float, const Params& p) {
    return A::template forward<float>(x, p);
  }
};
template <class A>
struct BackwardOf {
  AK_HD static float at(float x, float dy, const Params& p) {
    return A::template backward<float>(x, dy, p);
  }
};

// f(x) (Pass = ForwardOf) or f'(x) dy (Pass = BackwardOf) of one op.
template <template <class> class Pass>
AK_HD float eval_op(int op, float x, float dy, const Params& p) {
  switch (Op(op)) {
    case Op::Relu: return Pass<Relu>::at(x, dy, p);
    case Op::Mish: return Pass<Mish>::at(x, dy, p);
    case Op::Swish: return Pass<Swish>::at(x, dy, p);
    case Op::HardGate: return Pass<HardGate>::at(x, dy, p);
    case Op::ApproxMish: return Pass<ApproxMish>::at(x, dy, p);
    case Op::LinearSwish: return Pass<LinearSwish>::at(x, dy, p);
    case Op::Aptx: return Pass<Aptx>::at(x, dy, p);
    case Op::Gelu: return Pass<Gelu>::at(x, dy, p);
    case Op::GeluTanh: return Pass<GeluTanh>::at(x, dy, p);
    case Op::Sigmoid: return Pass<Sigmoid>::at(x, dy, p);
    case Op::Tanh: return Pass<Tanh>::at(x, dy, p);
    case Op::Softplus: return Pass<Softplus>::at(x, dy, p);
    case Op::Elu: return Pass<Elu>::at(x, dy, p);
    case Op::Selu: return Pass<Selu>::at(x, dy, p);
    case Op::LeakyRelu: return Pass<LeakyRelu>::at(x, dy, p);
    default: return as_float(0x7fc00000);  // unreachable: compile_program checked
  }
}

// The blend tree per element; (1 - t) a + t b rounds as the CPU's blend does.
template <template <class> class Pass>
AK_HD float eval_program(const Program& f, float x, float dy) {
  float stack[kMaxStack];
  int top = 0;
  for (int i = 0; i < f.count; ++i) {
    const Instr& in = f.code[i];
    if (in.op == kBlendOp) {
      float b = stack[--top];
      float a = stack[top - 1];
      // t = 0 and t = 1 take one side as it is (0 * Inf must not make a NaN), as on the CPU
      stack[top - 1] = in.t == 0.f ? a : in.t == 1.f ? b : blend_of(in.t, a, b);
    } else {
      stack[top++] = eval_op<Pass>(in.op, x, dy, in.p);
    }
  }
  return stack[0];
}

}  // namespace gpu
}  // namespace ak
