// The host entry points the binding calls: ISA dispatch, blends, and splitting across threads.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "../half.h"
#include "../program.h"

namespace ak {

// The ISA in use: "avx512", "avx2", "neon" or "scalar". Chosen at load from the processor
// (ACTIVATION_KERNELS_ISA forces a supported one).
const char* cpu_isa();
std::vector<std::string> cpu_supported_isas();
bool set_cpu_isa(const std::string& name);  // false if this machine lacks it

// Below this many elements a call stays on the calling thread: kParallelThreshold for every
// activation with an exp in it, kParallelThresholdCheap for those whose ops are all cheap
// (cpp/ops.h; memory-bound: a second core adds little bandwidth). Measured with `node
// scripts/measure/measure-threshold.js` and `npm run bench:kernels -- --threads 1,2`.
constexpr size_t kParallelThreshold = size_t(1) << 16;
constexpr size_t kParallelThresholdCheap = size_t(1) << 21;
// Calls of at least this many elements write with streaming stores (32 MiB with the input: past
// the last-level cache of the machines measured).
constexpr size_t kStreamThreshold = size_t(1) << 22;

void cpu_forward(const Program& f, const float* x, float* y, size_t n, int threads);
void cpu_backward(const Program& f, const float* x, const float* dy, float* out, size_t n,
                  int threads);
// sums[0..f.param_grads): deterministic for every thread count.
void cpu_param_grad(const Program& f, const float* x, const float* dy, size_t n, int threads,
                    double* sums);

// Half precision (cpp/half.h): the same passes on half-precision arrays, each result the exact
// value rounded once to the format (docs/targets.md); paramGrad sums the float32 values of x and
// dy as cpu_param_grad does.
void cpu_forward_half(const Program& f, Half h, const uint16_t* x, uint16_t* y, size_t n,
                      int threads);
void cpu_backward_half(const Program& f, Half h, const uint16_t* x, const uint16_t* dy,
                       uint16_t* out, size_t n, int threads);
void cpu_param_grad_half(const Program& f, Half h, const uint16_t* x, const uint16_t* dy, size_t n,
                         int threads, double* sums);
// The conversions: float32 rounded to nearest even, half widened exactly.
void halves_from_floats(Half h, const float* src, uint16_t* dst, size_t n);
void floats_from_halves(Half h, const uint16_t* src, float* dst, size_t n);

}  // namespace ak
