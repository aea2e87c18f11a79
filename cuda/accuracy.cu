// The exhaustive accuracy check of DESIGN §4 on the device: every float32 input of a program,
// forward or backward (dy = 1), against a double-precision reference of each function. The
// references follow test/reference.ts (the same tail-safe forms, parameters rounded to float
// first); the errors follow its forwardError/backwardError.
#include <cmath>
#include <cstring>

#include "device_ops.cuh"

namespace ak {
namespace gpu {
namespace {

__host__ __device__ double sig(double z) {
  return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}
__host__ __device__ double swish_slope(double z) { return sig(z) * (1 + z * sig(-z)); }
__host__ __device__ double f32(double v) { return double(float(v)); }
__host__ __device__ double neg_zero_of(double x) { return x < 0 ? -0.0 : 0.0; }

struct Ref {
  double f, df;
};

__host__ __device__ Ref mish_ref(double x) {
  if (x == -INFINITY) return {-0.0, 0};
  if (x > 40) return {x, 1};
  double e = exp(x), n = e * (e + 2);
  return {x * tanh(log1p(e)),
          n / (n + 2) + x * 4 * (1 + e) * (1 + e) * sig(x) / ((n + 2) * (n + 2))};
}

__host__ __device__ Ref swish_ref(double x, double beta) {
  double b = f32(beta);
  if (isnan(x)) return {x, x};
  if (isfinite(x)) return {x * sig(b * x), swish_slope(b * x)};
  return b * x > 0 ? Ref{x, 1} : Ref{-0.0 * (x > 0 ? 1 : -1), 0};
}

__host__ __device__ Ref hard_gate_ref(double x, double shift, double cap) {
  double s = f32(shift), c = f32(cap);
  if (isnan(x)) return {x, x};
  if (x + s <= 0) return {neg_zero_of(x), 0};
  if (x + s >= c) return {x, 1};
  return {x * (x + s) / c, (2 * x + s) / c};
}

__host__ __device__ Ref relu_ref(double x) {
  if (isnan(x)) return {x, x};
  return x > 0 ? Ref{x, 1} : Ref{0, 0};
}

__host__ __device__ Ref approx_mish_ref(double x) {
  if (isnan(x)) return {x, x};
  if (x == -INFINITY) return {-0.0, 0};
  if (x == INFINITY) return {x, 1};
  double z = x <= 0 ? x : 2 * x;
  return {x * sig(z), swish_slope(z)};
}

__host__ __device__ Ref linear_swish_ref(double x) {
  if (isnan(x)) return {x, x};
  if (x > 0) return {x, 1};
  if (x == -INFINITY) return {-0.0, 0};
  return {2 * x * sig(1.25 * x), 2 * swish_slope(1.25 * x)};
}

// (alpha - 1) x + 2x s(2 beta x) in double: exact for alpha >= 1, as in the rows this check runs
// (test/table.ts `rows`, the defaults). At other parameters it cancels near the roots;
// test/cuda-accuracy.test.ts checks those (parameterRows) against test/reference.ts's exact forms.
__host__ __device__ Ref aptx_ref(double x, const double* raw) {
  double a1 = f32(raw[0]) - 1, b = f32(raw[1]), g = f32(raw[2]);
  if (isnan(x)) return {x, x};
  double core;
  if (isfinite(x)) {
    core = a1 * x + 2 * x * sig(2 * b * x);
  } else {
    double tail = b * x > 0 ? 2 * x : -0.0 * (x > 0 ? 1 : -1);
    core = a1 == 0 ? tail : a1 * x + tail;
  }
  double z = 2 * b * x;
  double slope = isfinite(z) ? swish_slope(z) : z > 0 ? 1 : 0;
  return {g * core, g * (a1 + 2 * slope)};
}

// The classic functions (cpp/activations_classic.h), in the forms of test/reference.ts.
__host__ __device__ Ref gelu_ref(double x) {
  if (isnan(x)) return {x, x};
  if (x == -INFINITY) return {-0.0, 0};
  if (x == INFINITY) return {x, 1};
  double phi = 0.5 * erfc(-x * 0.70710678118654752440);
  return {x * phi, phi + x * 0.39894228040143267794 * exp(-0.5 * x * x)};
}

__host__ __device__ Ref gelu_tanh_ref(double x) {
  if (isnan(x)) return {x, x};
  if (!isfinite(x)) return x > 0 ? Ref{x, 1} : Ref{-0.0, 0};
  const double c = 1.5957691216057307117;  // 2 sqrt(2/pi)
  double z = c * (x + 0.044715 * x * x * x), w = c * x * (1 + 3 * 0.044715 * x * x);
  return {x * sig(z), sig(z) * (1 + w * sig(-z))};
}

__host__ __device__ Ref sigmoid_ref(double x) {
  if (isnan(x)) return {x, x};
  return {sig(x), sig(x) * sig(-x)};
}

__host__ __device__ Ref tanh_ref(double x) {
  if (isnan(x)) return {x, x};
  double t = tanh(x);
  return {t, isfinite(x) ? 4 * sig(2 * x) * sig(-2 * x) : 0};
}

__host__ __device__ Ref softplus_ref(double x, double beta) {
  double b = f32(beta);
  if (isnan(x)) return {x, x};
  double z = b * x;
  if (!isfinite(z)) return z > 0 ? Ref{x, 1} : Ref{b > 0 ? 0.0 : -0.0, 0};
  double l = log1p(exp(-fabs(z))) / b;
  return {z > 0 ? x + l : l, sig(z)};
}

__host__ __device__ Ref elu_ref(double x, double alpha, double scale) {
  if (isnan(x)) return {x, x};
  if (x > 0) return {scale * x, scale};
  return {scale * alpha * expm1(x), scale * alpha * exp(x)};
}

__host__ __device__ Ref leaky_relu_ref(double x, double slope) {
  double s = f32(slope);
  if (isnan(x)) return {x, x};
  if (x > 0) return {x, 1};
  if (x == -INFINITY && s == 0) return {signbit(s) ? 0.0 : -0.0, s};  // the limit of s x
  return {s * x, s};
}

__host__ __device__ Ref ref_op(const RefInstr& in, double x) {
  switch (Op(in.op)) {
    case Op::Relu: return relu_ref(x);
    case Op::Mish: return mish_ref(x);
    case Op::Swish: return swish_ref(x, in.raw[0]);
    case Op::HardGate: return hard_gate_ref(x, in.raw[0], in.raw[1]);
    case Op::ApproxMish: return approx_mish_ref(x);
    case Op::LinearSwish: return linear_swish_ref(x);
    case Op::Aptx: return aptx_ref(x, in.raw);
    case Op::Gelu: return gelu_ref(x);
    case Op::GeluTanh: return gelu_tanh_ref(x);
    case Op::Sigmoid: return sigmoid_ref(x);
    case Op::Tanh: return tanh_ref(x);
    case Op::Softplus: return softplus_ref(x, in.raw[0]);
    case Op::Elu: return elu_ref(x, f32(in.raw[0]), 1);
    case Op::Selu: return elu_ref(x, 1.6732632423543772, 1.0507009873554805);
    case Op::LeakyRelu: return leaky_relu_ref(x, in.raw[0]);
    default: return {NAN, NAN};
  }
}

__host__ __device__ Ref ref_program(const RefProgram& f, double x) {
  Ref stack[kMaxStack];
  int top = 0;
  for (int i = 0; i < f.count; ++i) {
    const RefInstr& in = f.code[i];
    if (in.op == kBlendOp) {
      Ref b = stack[--top], a = stack[top - 1];
      stack[top - 1] = {(1 - in.t) * a.f + in.t * b.f, (1 - in.t) * a.df + in.t * b.df};
    } else {
      stack[top++] = ref_op(in, x);
    }
  }
  return stack[0];
}

constexpr double kMinNormal = 1.1754943508222875e-38;

__host__ __device__ double ulp32(double r) {
  double a = fabs(r);
  if (a < kMinNormal) return 1.401298464324817e-45;
  int e;
  frexp(a, &e);  // a = m 2^e, m in [0.5, 1)
  return ldexp(1.0, e - 1 - 23);
}

// test/reference.ts forwardError
__host__ __device__ double forward_error(double y, double r) {
  if (isnan(r) || isnan(y)) return isnan(r) && isnan(y) ? 0 : INFINITY;
  double rf = f32(r);
  if (!isfinite(rf) || !isfinite(y)) return y == rf ? 0 : INFINITY;
  if (fabs(r) < kMinNormal) return fabs(y - r) <= kMinNormal ? 0 : INFINITY;
  return fabs(y - r) / ulp32(r);
}

// test/reference.ts backwardError with dy = 1
__host__ __device__ double backward_error(double g, double r) {
  if (isnan(r) || isnan(g)) return isnan(r) && isnan(g) ? 0 : INFINITY;
  double rf = f32(r);
  if (!isfinite(rf) || !isfinite(g)) return g == rf ? 0 : INFINITY;
  double excess = fabs(g - r) - 5.9604644775390625e-8;
  return excess <= 0 ? 0 : excess / ulp32(r);
}

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
    check(Fn fn, RefProgram ref, bool backward, double max_ulp, Totals* totals) {
  u64 worst = 0, over = 0;
  u64 stride = u64(gridDim.x) * blockDim.x;
  for (u64 i = u64(blockIdx.x) * blockDim.x + threadIdx.x; i < (1ull << 32); i += stride) {
    uint32_t bits = uint32_t(i);
    float x = __uint_as_float(bits);
    double e = error_at(fn, backward, x, ref_program(ref, double(x)));
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
cudaError_t run_check(const Fn& fn, const RefProgram& ref, bool backward, double max_ulp,
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
AccuracyResult check_inputs_on_host(const Program& f, const RefProgram& ref, bool backward,
                                    double max_ulp, uint32_t stride) {
  AccuracyResult r{0, 0, 0};
  auto scan = [&](const auto& fn) {
    for (uint64_t i = 0; i < (1ull << 32); i += stride) {
      uint32_t bits = uint32_t(i);
      float x = as_float(int32_t(bits));
      double e = error_at(fn, backward, x, ref_program(ref, double(x)));
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

cudaError_t check_every_input(const Program& f, const RefProgram& ref, bool backward,
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
