// The exhaustive accuracy check of docs/targets.md on the device: every float32 input of a program,
// forward or backward (dy = 1), against the double-precision references of the program
// (exact::value, cpp/exact_half.h). They follow reference/reference.ts (the same tail-safe forms,
// parameters rounded to float first); the errors follow its forwardError/backwardError.
#include <cmath>
#include <cstring>

#include "../cpp/exact_half.h"
#include "device_ops.cuh"

namespace ak {
namespace gpu {
namespace {

using reference::backward_error;
using reference::forward_error;
using reference::Ref;

using u64 = unsigned long long;

struct Totals {
  u64 worst;  // (float bits of the error) << 32 | input bits: max = worst
  u64 over;
};

// The error of fn at x against the reference r: forward with dy = 0, backward with dy = 1.
template <class Fn>
__host__ __device__ double error_at(const Fn& fn, bool backward, float x, const Ref& r) {
  return backward ? backward_error(fn(x, 1.f), r.df) : forward_error(fn(x, 0.f), r.f);
}

constexpr int kCheckThreads = 256;

// Fn is the function the elementwise kernels run for this program (device_ops.cuh dispatch).
template <class Fn>
__global__ void __launch_bounds__(kCheckThreads)
    check(Fn fn, ExactProgram ref, bool backward, double max_ulp, Totals* totals) {
  u64 worst = 0, over = 0;
  u64 stride = u64(gridDim.x) * blockDim.x;
  for (u64 i = u64(blockIdx.x) * blockDim.x + threadIdx.x; i < (1ull << 32); i += stride) {
    uint32_t bits = uint32_t(i);
    float x = __uint_as_float(bits);
    double e = error_at(fn, backward, x, exact::value(ref, double(x)));
    if (e > max_ulp) ++over;
    u64 key = (u64(__float_as_uint(float(e))) << 32) | bits;  // e >= 0: bits order
    if (e > 0 && key > worst) worst = key;
  }
  atomicMax(&totals->worst, worst);
  atomicAdd(&totals->over, over);
}

// One launch of check<Fn> over a grid that fills the device: as many blocks per SM as fit
// (the kernel's registers decide it), on every SM.
template <class Fn>
cudaError_t run_check(const Fn& fn, const ExactProgram& ref, bool backward, double max_ulp,
                      Totals* totals, cudaStream_t s) {
  int device = 0, sms = 0, per_sm = 0;
  cudaError_t e = cudaGetDevice(&device);
  if (e == cudaSuccess) e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  if (e == cudaSuccess)
    e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, check<Fn>, kCheckThreads, 0);
  if (e != cudaSuccess) return e;
  if (sms < 1 || per_sm < 1) return cudaErrorInvalidConfiguration;
  check<Fn><<<unsigned(sms) * unsigned(per_sm), kCheckThreads, 0, s>>>(fn, ref, backward, max_ulp,
                                                                       totals);
  return cudaGetLastError();
}

}  // namespace

// The same comparison on the host over every stride-th input, with the same functions: checks
// the references, the error measure and the evaluation on machines without a GPU
// (test/cuda.test.ts).
AccuracyResult check_inputs_on_host(const Steps& f, const ExactProgram& ref, bool backward,
                                    double max_ulp, uint32_t stride) {
  AccuracyResult r{0, 0, 0};
  auto scan = [&](const auto& fn) {
    for (uint64_t i = 0; i < (1ull << 32); i += stride) {
      uint32_t bits = uint32_t(i);
      float x = as_float(int32_t(bits));
      double e = error_at(fn, backward, x, exact::value(ref, double(x)));
      if (e > max_ulp) ++r.over;
      if (e > r.worst) r = AccuracyResult{e, bits, r.over};
    }
    return cudaSuccess;
  };
  if (backward)
    dispatch<BackwardOf>(f, scan);
  else
    dispatch<ForwardOf>(f, scan);
  return r;
}

cudaError_t check_every_input(const Steps& f, const ExactProgram& ref, bool backward,
                              double max_ulp, AccuracyResult* result, cudaStream_t s) {
  Totals* totals = nullptr;
  cudaError_t e = cudaMallocAsync(reinterpret_cast<void**>(&totals), sizeof(Totals), s);
  if (e != cudaSuccess) return e;
  e = cudaMemsetAsync(totals, 0, sizeof(Totals), s);
  auto launch = [&](const auto& fn) { return run_check(fn, ref, backward, max_ulp, totals, s); };
  if (e == cudaSuccess)
    e = backward ? dispatch<BackwardOf>(f, launch) : dispatch<ForwardOf>(f, launch);
  Totals host{0, 0};
  if (e == cudaSuccess) e = cudaMemcpyAsync(&host, totals, sizeof host, cudaMemcpyDeviceToHost, s);
  cudaError_t freed = cudaFreeAsync(totals, s);
  if (e == cudaSuccess) e = freed;
  if (e == cudaSuccess) e = cudaStreamSynchronize(s);
  if (e == cudaSuccess) {
    uint32_t error_bits = uint32_t(host.worst >> 32);
    float worst;
    memcpy(&worst, &error_bits, sizeof worst);
    *result = AccuracyResult{double(worst), uint32_t(host.worst), host.over};
  }
  return e;
}

}  // namespace gpu
}  // namespace ak
