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

// Where an op's float32 slope f'(x) may lose more than 2^-21 of itself, cancelling next to a zero
// of f': the x in [lo, hi]. A formula may state it as a member `static constexpr SlopeZone
// kSlopeCancels`, and a formula with parameters the one set of them it holds at (its defaults)
// as `static constexpr float kSlopeAt[]`: outside the zone, for every bfloat16 and float16 x,
// its backward(x, 1) is then within 2^-21 |f'(x)| + 2^-100 of f'(x) (test/half.test.ts checks
// it on every path), so the half-precision passes need not allow the contract's 2^-24 |dy| there
// (cpp/half_bound.cpp). Elsewhere, and for a formula that states none, the contract stands.
struct SlopeZone {
  float lo, hi;
};
constexpr SlopeZone kCancelsNowhere{1.f, -1.f};  // an empty zone: relative everywhere

}  // namespace ak

// Every formula and loop lives in ak::AK_ISA_NS, named per translation unit by its build flags,
// so the float instantiations compiled with FMA never merge with those compiled without it.
#ifndef AK_ISA_NS
#define AK_ISA_NS generic
#endif
