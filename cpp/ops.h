// The op registry: every kernel op, one line each. Everything else that depends on the list of
// ops is generated from it: the Op enum and its table (cpp/types.h), the dispatch from an op to
// its formula on every backend (cpp/dispatch.h), the parameter preparation (cpp/program.cpp),
// and the op table the addon exports for lib/ (binding/cpu.cpp, read by lib/ops.ts).
//
//   X(Formula, name, params, trainable, cheap)
//
// Formula    the struct of cpp/activations*.h: forward, backward; param_terms when trainable;
//            a static prepare(raw, v) when its parameters need more than rounding to float
// name       the op's name for lib/ (a JS identifier)
// params     how many parameters an activation code carries for it (at most kMaxParams)
// trainable  paramGrad returns one sum per parameter
// cheap      no exp in it: memory-bound, so it is split across threads only from larger sizes
//
// The position in the list is the op's number in an activation code; append new ops at the
// end so that saved codes keep their meaning.
#pragma once

#define AK_OPS(X)                              \
  X(Relu, relu, 0, false, true)                \
  X(Mish, mish, 0, false, false)               \
  X(Swish, swish, 1, true, false)              \
  X(HardGate, hardGate, 2, false, true)        \
  X(ApproxMish, approxMish, 0, false, false)   \
  X(LinearSwish, linearSwish, 0, false, false) \
  X(Aptx, aptx, 3, true, false)                \
  X(Gelu, gelu, 0, false, false)               \
  X(GeluTanh, geluTanh, 0, false, false)       \
  X(Sigmoid, sigmoid, 0, false, false)         \
  X(Tanh, tanh, 0, false, false)               \
  X(Softplus, softplus, 1, true, false)        \
  X(Elu, elu, 1, true, false)                  \
  X(Selu, selu, 0, false, false)               \
  X(LeakyRelu, leakyRelu, 1, true, true)       \
  X(Relu6, relu6, 0, false, true)              \
  X(HardSigmoid, hardSigmoid, 0, false, true)
