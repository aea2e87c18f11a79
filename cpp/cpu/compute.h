// The host entry points the binding calls: ISA dispatch, blends, and splitting across threads.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "../types.h"

namespace ak {

// An activation as the binding receives it: a tree in pre-order. A node is a kernel op, or a
// blend (1 - t) a + t b of the two subtrees that follow it.
struct Node {
  bool blend;
  Op op;
  Params params;
  float t;
  int a, b;  // children of a blend, as indices into Activation::nodes
};
struct Activation {
  std::vector<Node> nodes;    // nodes[0] is the root
  int param_grads;            // how many parameter gradients paramGrad returns (root op only)
  size_t parallel_threshold;  // from the ops in it: kParallelThreshold or kParallelThresholdCheap
};

// Encoding, 4 doubles a node: {op, p0, p1, p2} or {kBlendCode, t, 0, 0} followed by the two
// subtrees. Returns false (and leaves `out` unspecified) on a malformed description.
constexpr int kBlendCode = 100;
constexpr int kMaxNodes = 64;
bool decode_activation(const double* code, size_t length, Activation& out);

// The ISA in use: "avx512", "avx2", "neon" or "scalar". Chosen at load from the processor
// (ACTIVATION_KERNELS_ISA forces a supported one).
const char* cpu_isa();
std::vector<std::string> cpu_supported_isas();
bool set_cpu_isa(const std::string& name);  // false if this machine lacks it

// Below this many elements a call stays on the calling thread: kParallelThreshold for every
// activation with an exp in it, kParallelThresholdCheap for relu, leakyRelu and hardGate alone
// (memory-bound: a second core adds little bandwidth). Measured with `node
// scripts/measure-threshold.js` and `npm run bench:kernels -- --threads 1,2` (docs/speed.md).
constexpr size_t kParallelThreshold = size_t(1) << 16;
constexpr size_t kParallelThresholdCheap = size_t(1) << 21;
// Calls of at least this many elements write with streaming stores (32 MiB with the input: past
// the last-level cache of the machines measured).
constexpr size_t kStreamThreshold = size_t(1) << 22;

void cpu_forward(const Activation& f, const float* x, float* y, size_t n, int threads);
void cpu_backward(const Activation& f, const float* x, const float* dy, float* out, size_t n,
                  int threads);
// sums[0..f.param_grads): deterministic for every thread count.
void cpu_param_grad(const Activation& f, const float* x, const float* dy, size_t n, int threads,
                    double* sums);

}  // namespace ak
