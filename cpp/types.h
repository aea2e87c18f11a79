// Types shared by every translation unit (and CUDA), outside the per-ISA namespaces.
#pragma once

namespace ak {

enum class Op : int {
  Relu,
  Mish,
  Swish,
  HardGate,
  ApproxMish,
  LinearSwish,
  Aptx,
  Gelu,
  GeluTanh,
  Sigmoid,
  Tanh,
  Softplus,
  Elu,
  Selu,
  LeakyRelu,
  Count
};

// Prepared parameters: what the formulas need, derived once per call by prepare_params().
struct Params {
  float v[29];  // the most: Aptx (cpp/activations.h names its slots)
};

}  // namespace ak

// Every formula and loop lives in ak::AK_ISA_NS, named per translation unit by its build flags,
// so the float instantiations compiled with FMA never merge with those compiled without it.
#ifndef AK_ISA_NS
#define AK_ISA_NS generic
#endif
