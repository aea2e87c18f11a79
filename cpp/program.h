// An activation as the kernels run it: its code (which lib/ writes) decoded once, checked, and
// its parameters prepared, for the CPU (the tree, walked per tile) and the CUDA kernels (the same
// tree in post-order, evaluated per element). The addon hands it to lib/ as a handle that the
// activation keeps (binding/args.h), so a call never decodes or prepares anything.
#pragma once

#include <cstddef>
#include <vector>

#include "types.h"

namespace ak {

// The code: 4 doubles a node in pre-order, {op, p0, p1, p2} (unused parameters 0) or
// {kBlendCode, t, 0, 0} followed by its two sides. The addon exports these limits to lib/.
constexpr int kCodeWidth = 4;
constexpr int kBlendCode = 100;
constexpr int kMaxNodes = 64;  // activations in one blend tree, blends included
constexpr int kMaxDepth = 16;  // blends nested in blends

struct Node {
  bool blend;
  Op op;                   // Op::Count for a blend
  Params params;           // prepared
  float t;                 // a blend's (1 - t) a + t b
  int a, b;                // a blend's sides, as indices into Program::nodes
  double raw[kMaxParams];  // the parameters as given (for the double references)
};

// One step of the post-order form: push op(x), or (op == kBlendStep) pop b, pop a and push
// (1 - t) a + t b.
constexpr int kBlendStep = -1;
struct Step {
  int op;
  float t;
  Params p;
};

struct Program {
  std::vector<Node> nodes;  // nodes[0] is the root
  std::vector<Step> steps;
  int param_grads = 0;  // sums paramGrad gives: the root op's, 0 for a blend
  bool cheap = false;   // every op in it is cheap (cpp/ops.h)
};

// False (out unspecified) for a malformed code: an unknown op, a parameter beyond FLT_MAX, t
// outside [0, 1], more than kMaxNodes nodes or kMaxDepth levels, or trailing doubles.
bool decode_program(const double* code, size_t length, Program& out);

// The prepared parameters of op from its float32-rounded parameters raw[0..params).
Params prepare_params(Op op, const double* raw);

}  // namespace ak
