// Evaluation of a program's Steps (on the device, and on the host for the check of
// cuda/accuracy.cu): the formulas of cpp/activations.h instantiated with V = float, dispatched by
// op, blends of two plain ops directly and deeper blends per element with a small stack. Shared by
// cuda/kernels.cu and cuda/accuracy.cu (each includes it once, in its own AK_ISA_NS).
#pragma once

#include "../cpp/dispatch.h"
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
  return with_activation(Op(op), p, as_float(0x7fc00000),  // NaN: decode_program checked op
                         [&](auto a) { return Pass<typename decltype(a)::type>::at(x, dy, p); });
}

// out[k] = f(x[k]) (or f'(x[k]) dy[k]) of one op for K elements: one dispatch for all K, each
// case a plain loop over them, so that a kernel that picks its op at run time does it once per
// K elements, not per element. The values are eval_op's, element by element.
template <template <class> class Pass, int K>
AK_HD void eval_op_many(int op, const float (&x)[K], const float (&dy)[K], const Params& p,
                        float (&out)[K]) {
  const bool known = with_activation(Op(op), p, false, [&](auto a) {
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int k = 0; k < K; ++k) out[k] = Pass<typename decltype(a)::type>::at(x[k], dy[k], p);
    return true;
  });
  if (known) return;
#ifdef __CUDA_ARCH__
  // decode_program checked op: a NaN fill here would be set up ahead of the dispatch (a move per
  // element and side on every path)
  __builtin_unreachable();
#else
  for (int k = 0; k < K; ++k) out[k] = as_float(0x7fc00000);
#endif
}

// (1 - t) a + t b, rounded as the CPU's blend does; t = 0 and t = 1 take one side as it is
// (0 * Inf must not make a NaN), as on the CPU. Both blend paths below use it.
AK_HD float blend_step(float t, float a, float b) {
  return t == 0.f ? a : t == 1.f ? b : blend_of(t, a, b);
}

// The blend tree per element.
template <template <class> class Pass>
AK_HD float eval_program(const Steps& f, float x, float dy) {
  float stack[kMaxStack];
#ifndef __CUDA_ARCH__
  stack[0] = 0.f;  // for g++, which cannot see that a compiled program pushes before it returns
#endif
  int top = 0;
  for (int i = 0; i < f.count; ++i) {
    const Step& in = f.code[i];
    if (in.op == kBlendStep) {
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
  template <int K>
  AK_HD void many(const float (&x)[K], const float (&dy)[K], float (&out)[K]) const {
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int k = 0; k < K; ++k) out[k] = Pass<A>::at(x[k], dy[k], p);
  }
};

// A blend of two plain activations, the common shape: no stack, no loop over the program; the
// two ops are picked by a switch that every thread takes the same way, once for the eight
// elements of an aligned iteration (many) and per element elsewhere (head, tail, views).
template <template <class> class Pass>
struct BlendFn {
  int a, b;
  float t;
  Params pa, pb;
  AK_HD float operator()(float x, float dy) const {
    return blend_step(t, eval_op<Pass>(a, x, dy, pa), eval_op<Pass>(b, x, dy, pb));
  }
  // K elements at a time: each side's op dispatched once for all of them, and t = 0 and t = 1
  // tested once (nvcc kept blend_step's tests in the unrolled loop, a select and a branch an
  // element). Both sides are computed at every t: skipping one there took 8 to 11 registers more.
  template <int K>
  AK_HD void many(const float (&x)[K], const float (&dy)[K], float (&out)[K]) const {
    float va[K], vb[K];
    eval_op_many<Pass, K>(a, x, dy, pa, va);
    eval_op_many<Pass, K>(b, x, dy, pb, vb);
    if (t == 0.f || t == 1.f) {
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
      // blend_step's choice written out: through blend_step, nvcc placed the loop 0.18
      // instructions an element longer on average over the pairs
      for (int k = 0; k < K; ++k) out[k] = t == 0.f ? va[k] : vb[k];
      return;
    }
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int k = 0; k < K; ++k) out[k] = blend_of(t, va[k], vb[k]);
  }
};

// Any other program (nested blends): the interpreter.
template <template <class> class Pass>
struct ProgramFn {
  Steps f;
  AK_HD float operator()(float x, float dy) const { return eval_program<Pass>(f, x, dy); }
  // element by element, not unrolled: eight copies of the interpreter would cost more code (and
  // addon size) than nested blends are worth
  template <int K>
  AK_HD void many(const float (&x)[K], const float (&dy)[K], float (&out)[K]) const {
#ifdef __CUDA_ARCH__
#pragma unroll 1
#endif
    for (int k = 0; k < K; ++k) out[k] = eval_program<Pass>(f, x[k], dy[k]);
  }
};

// The benchmark's inputs: a deterministic spread of values in [-12, 12].
AK_HD float fill_value(size_t i) { return float(int((i * 2654435761u) % 24001u) - 12000) * 1e-3f; }

// Calls make(fn) with the function for program f; cudaErrorInvalidValue for an unknown op.
template <template <class> class Pass, class Make>
cudaError_t dispatch(const Steps& f, const Make& make) {
  if (f.count == 3 && f.code[0].op != kBlendStep && f.code[1].op != kBlendStep &&
      f.code[2].op == kBlendStep)
    return make(BlendFn<Pass>{f.code[0].op, f.code[1].op, f.code[2].t, f.code[0].p, f.code[1].p});
  if (f.count != 1) return make(ProgramFn<Pass>{f});
  const Params& p = f.code[0].p;
  // a formula's plain variant at its parameters (cpp/dispatch.h) gets its own kernel, as on the
  // CPU: no general path in it
  return with_activation<true>(Op(f.code[0].op), p, cudaErrorInvalidValue, [&](auto a) {
    return make(OpFn<Pass, typename decltype(a)::type>{p});
  });
}

}  // namespace gpu
}  // namespace ak
