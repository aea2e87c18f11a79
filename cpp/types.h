// Types shared by every translation unit (and CUDA), outside the per-ISA namespaces: the ops of
// the registry (cpp/ops.h) and the prepared parameters.
#pragma once

#include "ops.h"

namespace ak {

enum class Op : int {
#define AK_OP_ENUM(Formula, name, params, trainable, cheap) Formula,
  AK_OPS(AK_OP_ENUM)
#undef AK_OP_ENUM
      Count
};

// One row of the registry, as data.
struct OpInfo {
  const char* name;
  int params;
  bool trainable;
  bool cheap;
};
constexpr OpInfo kOps[] = {
#define AK_OP_INFO(Formula, name, params, trainable, cheap) {#name, params, trainable, cheap},
    AK_OPS(AK_OP_INFO)
#undef AK_OP_INFO
};
constexpr const OpInfo& op_info(Op op) { return kOps[int(op)]; }
// How many sums paramGrad gives for op (0: none).
constexpr int param_grad_count(Op op) { return op_info(op).trainable ? op_info(op).params : 0; }

constexpr int kMaxParams = 3;  // the parameters one op of an activation code carries

// Prepared parameters: what the formulas need, derived once per activation from the float32
// parameters (cpp/program.cpp).
struct Params {
  float v[104];  // the most: Aptx (cpp/activations.h names its slots)
};

}  // namespace ak

// Every formula and loop lives in ak::AK_ISA_NS, named per translation unit by its build flags,
// so the float instantiations compiled with FMA never merge with those compiled without it.
#ifndef AK_ISA_NS
#define AK_ISA_NS generic
#endif
