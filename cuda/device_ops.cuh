// Evaluation of a Program (on the device, and on the host for the check of cuda/accuracy.cu): the
// formulas of cpp/activations.h instantiated with V = float, dispatched by op, blends of two plain
// ops directly and deeper blends per element with a small stack. Shared by cuda/kernels.cu and
// cuda/accuracy.cu (each includes it once, in its own AK_ISA_NS).
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

// (1 - t) a + t b, rounded as the CPU's blend does; t = 0 and t = 1 take one side as it is
// (0 * Inf must not make a NaN), as on the CPU. Both blend paths below use it.
AK_HD float blend_step(float t, float a, float b) {
  return t == 0.f ? a : t == 1.f ? b : blend_of(t, a, b);
}

// The blend tree per element.
template <template <class> class Pass>
AK_HD float eval_program(const Program& f, float x, float dy) {
  float stack[kMaxStack];
#ifndef __CUDA_ARCH__
  stack[0] = 0.f;  // for g++, which cannot see that a compiled program pushes before it returns
#endif
  int top = 0;
  for (int i = 0; i < f.count; ++i) {
    const Instr& in = f.code[i];
    if (in.op == kBlendOp) {
      float b = stack[--top];
      float a = stack[top - 1];
      stack[top - 1] = blend_step(in.t, a, b);
    } else {
      stack[top++] = eval_op<Pass>(in.op, x, dy, in.p);
    }
  }
  return stack[0];
}

// The functions the kernels run, one per shape of program, each f(x, dy) for one element. The
// elementwise kernels (cuda/kernels.cu) and the exhaustive check (cuda/accuracy.cu) get them from
// dispatch, so that the check runs exactly what users run.

// A single op: its own kernel, no interpreter in the loop.
template <template <class> class Pass, class A>
struct OpFn {
  Params p;
  AK_HD float operator()(float x, float dy) const { return Pass<A>::at(x, dy, p); }
};

// A blend of two plain activations, the common shape: no stack, no loop over the program; the
// two ops are picked by a switch that every thread takes the same way.
template <template <class> class Pass>
struct BlendFn {
  int a, b;
  float t;
  Params pa, pb;
  AK_HD float operator()(float x, float dy) const {
    return blend_step(t, eval_op<Pass>(a, x, dy, pa), eval_op<Pass>(b, x, dy, pb));
  }
};

// Any other program (nested blends): the interpreter.
template <template <class> class Pass>
struct ProgramFn {
  Program f;
  AK_HD float operator()(float x, float dy) const { return eval_program<Pass>(f, x, dy); }
};

// Calls make(fn) with the function for program f; cudaErrorInvalidValue for an unknown op.
template <template <class> class Pass, class Make>
cudaError_t dispatch(const Program& f, const Make& make) {
  if (f.count == 3 && f.code[0].op != kBlendOp && f.code[1].op != kBlendOp &&
      f.code[2].op == kBlendOp)
    return make(BlendFn<Pass>{f.code[0].op, f.code[1].op, f.code[2].t, f.code[0].p, f.code[1].p});
  if (f.count != 1) return make(ProgramFn<Pass>{f});
  const Params& p = f.code[0].p;
  switch (Op(f.code[0].op)) {
    case Op::Relu: return make(OpFn<Pass, Relu>{p});
    case Op::Mish: return make(OpFn<Pass, Mish>{p});
    case Op::Swish: return make(OpFn<Pass, Swish>{p});
    case Op::HardGate: return make(OpFn<Pass, HardGate>{p});
    case Op::ApproxMish: return make(OpFn<Pass, ApproxMish>{p});
    case Op::LinearSwish: return make(OpFn<Pass, LinearSwish>{p});
    case Op::Aptx: return make(OpFn<Pass, Aptx>{p});
    case Op::Gelu: return make(OpFn<Pass, Gelu>{p});
    case Op::GeluTanh: return make(OpFn<Pass, GeluTanh>{p});
    case Op::Sigmoid: return make(OpFn<Pass, Sigmoid>{p});
    case Op::Tanh: return make(OpFn<Pass, Tanh>{p});
    case Op::Softplus: return make(OpFn<Pass, Softplus>{p});
    case Op::Elu: return make(OpFn<Pass, Elu>{p});
    case Op::Selu: return make(OpFn<Pass, Selu>{p});
    case Op::LeakyRelu: return make(OpFn<Pass, LeakyRelu>{p});
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace gpu
}  // namespace ak
