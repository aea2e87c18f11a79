// The host interface of the CUDA kernels (cuda/kernels.cu, cuda/accuracy.cu): plain C++ that the
// binding includes. An activation reaches the device as Steps: its program's post-order steps
// (cpp/program.h) by value, so that a kernel evaluates blends per element with a small stack in
// registers.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "../cpp/exact_half.h"
#include "../cpp/half_bound.h"
#include "../cpp/program.h"

namespace ak {
namespace gpu {

constexpr int kMaxStack = kMaxDepth + 2;

struct Steps {
  int count;
  Step code[kMaxNodes];
};

// A program's steps (and their references), copied for a launch: nothing is decoded or prepared.
Steps steps_of(const Program& f, ExactProgram* ref = nullptr);
// Number of parameter gradients: a single trainable op's (cpp/ops.h), else 0.
int param_grads_of(const Steps& f);

// Queued on `stream`; return the launch error (cudaSuccess when queued).
cudaError_t launch_forward(const Steps& f, const float* x, float* y, size_t n, cudaStream_t s);
cudaError_t launch_backward(const Steps& f, const float* x, const float* dy, float* out, size_t n,
                            cudaStream_t s);
// Doubles of device scratch param_grad needs; the sums land in scratch[0..k).
size_t param_grad_scratch(size_t n, int k);
// x and dy: float32, or of the Half format `half` (>= 0), widened exactly.
cudaError_t launch_param_grad(const Steps& f, int half, const void* x, const void* dy, size_t n,
                              double* scratch, cudaStream_t s);
// The elementwise kernels' loop (head, shifted float4 loads, tail, the dispatched function) run
// on the host for every thread of a small grid, for tests without a GPU: out = f(x) or f'(x) dy.
// False if a shifted load would have read outside an input.
bool elementwise_on_host(const Steps& f, bool backward, const float* x, const float* dy, float* out,
                         size_t n);
// Half precision (cuda/half_kernels.cu): out = f(x) or f'(x) dy over bfloat16 or float16 data,
// each element the exact value rounded once to the format, as on the CPU. HalfArgs is what a
// launch takes besides the steps: each step's bound (cpp/half_bound.h) for the pass, and the
// program for settling a lane exactly (cpp/exact_half.h).
struct HalfBounds {
  HalfBound bound[kMaxNodes];
};
struct HalfArgs {
  HalfBounds bounds;   // all the first kernel takes
  ExactProgram exact;  // the settling kernel's
};
HalfArgs half_args_of(const Program& f, bool gradient);
cudaError_t launch_half(const Steps& f, const HalfArgs& a, Half h, bool backward, const uint16_t* x,
                        const uint16_t* dy, uint16_t* out, size_t n, cudaStream_t s);
// The same loop run on the host for every thread of a small grid, for tests without a GPU.
void half_on_host(const Steps& f, const HalfArgs& a, Half h, bool backward, const uint16_t* x,
                  const uint16_t* dy, uint16_t* out, size_t n);

// x[i] = a deterministic spread of values in [-12, 12] (benchmark inputs); the half form rounds
// them to the format.
cudaError_t launch_fill(float* x, size_t n, cudaStream_t s);
cudaError_t launch_fill_half(uint16_t* x, size_t n, Half h, cudaStream_t s);

// Every float32 input against a double reference on the device (docs/targets.md), with dy = 1.
struct AccuracyResult {
  double worst;             // ulps beyond the allowance, Infinity for a wrong special value
  uint32_t worst_bits;      // the input where it is worst
  unsigned long long over;  // inputs beyond max_ulp
};
cudaError_t check_every_input(const Steps& f, const ExactProgram& ref, bool backward,
                              double max_ulp, AccuracyResult* result, cudaStream_t s);
// The same on the host, every stride-th input (for tests without a GPU).
AccuracyResult check_inputs_on_host(const Steps& f, const ExactProgram& ref, bool backward,
                                    double max_ulp, uint32_t stride);

}  // namespace gpu
}  // namespace ak
