// The CUDA kernels: every op's forward and backward, blends, and the deterministic paramGrad.
// The math is cpp/activations.h with V = float; this file only adds the loops. Compiled with
// --fmad=false so that only the formulas' explicit fmaf calls fuse, as on the CPU.
#include <vector>

#include "device_ops.cuh"
#include "half_io.cuh"

namespace ak {
namespace gpu {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxBlocks = 4096;  // grid-stride beyond: enough to fill any current GPU

// Elementwise loop: a scalar head until the output is 16-byte aligned, a float4 body, a scalar
// tail. An input at another alignment than the output (a view at another offset) is read in the
// body by two aligned float4 loads shifted into place; the second is the next thread's first, so
// it comes from L1 and views run at full bandwidth too. The shifted loads stay inside the input:
// the head is one vector longer when the first would start before it, the body one vector
// shorter. Only addresses that are not float-aligned (never from this package) go scalar.
struct Span {
  size_t head, vectors, n;
  int shift_a, shift_b;  // floats by which input a (b) is past 16-byte alignment in the body
};

Span span_of(size_t n, const void* out, const void* a, const void* b) {
  const uintptr_t mo = uintptr_t(out) & 15, ma = uintptr_t(a) & 15;
  const uintptr_t mb = b ? uintptr_t(b) & 15 : mo;
  if ((mo | ma | mb) & 3) return {0, 0, n, 0, 0};
  Span s{((16 - mo) & 15) / 4, 0, n, int(((ma - mo) & 15) / 4), int(((mb - mo) & 15) / 4)};
  const int shift = s.shift_a > s.shift_b ? s.shift_a : s.shift_b;
  if (shift > 0 && s.head < size_t(shift)) s.head += 4;  // the first load would start before 0
  if (s.head > n) s.head = n;
  size_t body = n - s.head;
  if (shift > 0) body = body >= 4 ? body - 4 : 0;  // the last load would end past n
  s.vectors = body / 4;
  return s;
}

// x[i..i+3] as a float4, x + i - shift being 16-byte aligned.
__host__ __device__ __forceinline__ float4 load4(const float* x, size_t i, int shift) {
  const float4* p = reinterpret_cast<const float4*>(x + i - shift);
  if (shift == 0) return p[0];
  const float4 lo = p[0], hi = p[1];
  if (shift == 1) return make_float4(lo.y, lo.z, lo.w, hi.x);
  if (shift == 2) return make_float4(lo.z, lo.w, hi.x, hi.y);
  return make_float4(lo.w, hi.x, hi.y, hi.z);
}

// One thread's part of the loop: the kernel runs it on the device, elementwise_on_host for every
// thread of a grid on the host.
// Inputs at the output's alignment (the common case) take a loop of their own that handles two
// vectors a thread per iteration, v and v + stride (each coalesced across the warp), with both
// loads issued before either is used: two 16-byte loads of each input in flight per thread,
// which a kernel with much arithmetic per element needs to keep up with memory.
template <class Map>
__host__ __device__ __forceinline__ void elementwise_thread(const Map& map, const Span& s,
                                                            size_t tid, size_t stride) {
  if (tid < s.head) map.one(tid);
  size_t v = tid;
  if (s.shift_a == 0 && s.shift_b == 0) {
    for (; v + stride < s.vectors; v += 2 * stride)
      map.two(s.head + 4 * v, s.head + 4 * (v + stride));
    if (v < s.vectors) map.four(s.head + 4 * v, s);
  } else {
    for (; v < s.vectors; v += stride) map.four(s.head + 4 * v, s);
  }
  for (size_t i = s.head + 4 * s.vectors + tid; i < s.n; i += stride) map.one(i);
}

template <class Map>
__global__ void __launch_bounds__(kThreads) elementwise(Map map, Span s) {
  elementwise_thread(map, s, size_t(blockIdx.x) * blockDim.x + threadIdx.x,
                     size_t(gridDim.x) * blockDim.x);
}

// y = F(x)
template <class F>
struct Map1 {
  F f;
  const float* x;
  float* y;
  __host__ __device__ __forceinline__ void one(size_t i) const { y[i] = f(x[i], 0.f); }
  __host__ __device__ __forceinline__ void four(size_t i, const Span& s) const {
    float4 v = load4(x, i, s.shift_a);
    *reinterpret_cast<float4*>(y + i) =
        make_float4(f(v.x, 0.f), f(v.y, 0.f), f(v.z, 0.f), f(v.w, 0.f));
  }
  // x[i..i+3] and x[j..j+3], both aligned: both loads first, then the eight values (F::many)
  __host__ __device__ __forceinline__ void two(size_t i, size_t j) const {
    const float4 u = *reinterpret_cast<const float4*>(x + i);
    const float4 v = *reinterpret_cast<const float4*>(x + j);
    const float in[8] = {u.x, u.y, u.z, u.w, v.x, v.y, v.z, v.w};
    const float zero[8] = {};
    float r[8];
    f.template many<8>(in, zero, r);
    *reinterpret_cast<float4*>(y + i) = make_float4(r[0], r[1], r[2], r[3]);
    *reinterpret_cast<float4*>(y + j) = make_float4(r[4], r[5], r[6], r[7]);
  }
};
// out = F(x, dy)
template <class F>
struct Map2 {
  F f;
  const float* x;
  const float* dy;
  float* out;
  __host__ __device__ __forceinline__ void one(size_t i) const { out[i] = f(x[i], dy[i]); }
  __host__ __device__ __forceinline__ void four(size_t i, const Span& s) const {
    float4 v = load4(x, i, s.shift_a);
    float4 d = load4(dy, i, s.shift_b);
    *reinterpret_cast<float4*>(out + i) =
        make_float4(f(v.x, d.x), f(v.y, d.y), f(v.z, d.z), f(v.w, d.w));
  }
  __host__ __device__ __forceinline__ void two(size_t i, size_t j) const {
    const float4 u = *reinterpret_cast<const float4*>(x + i);
    const float4 e = *reinterpret_cast<const float4*>(dy + i);
    const float4 v = *reinterpret_cast<const float4*>(x + j);
    const float4 d = *reinterpret_cast<const float4*>(dy + j);
    const float in[8] = {u.x, u.y, u.z, u.w, v.x, v.y, v.z, v.w};
    const float din[8] = {e.x, e.y, e.z, e.w, d.x, d.y, d.z, d.w};
    float r[8];
    f.template many<8>(in, din, r);
    *reinterpret_cast<float4*>(out + i) = make_float4(r[0], r[1], r[2], r[3]);
    *reinterpret_cast<float4*>(out + j) = make_float4(r[4], r[5], r[6], r[7]);
  }
};

unsigned blocks_for(size_t work) {
  size_t b = (work + kThreads - 1) / kThreads;
  return unsigned(b < 1 ? 1 : b > kMaxBlocks ? kMaxBlocks : b);
}

template <class Map>
cudaError_t launch(const Map& map, Span s, cudaStream_t stream) {
  if (s.n == 0) return cudaSuccess;
  elementwise<<<blocks_for(s.vectors + s.head + (s.n - s.head - 4 * s.vectors)), kThreads, 0,
                stream>>>(map, s);
  return cudaGetLastError();
}

// paramGrad: a fixed grid (it depends on n only) where each thread sums its elements in
// double, each block reduces in a fixed tree, and one block adds the block sums in order:
// the same bits on every run and every device. Plain coalesced loads, so that a view gives
// the same sums as a copy whatever its alignment.
constexpr int kReduceBlocks = 1024;

unsigned reduce_blocks(size_t n) {
  size_t b = (n + kThreads - 1) / kThreads;
  return unsigned(b < 1 ? 1 : b > kReduceBlocks ? kReduceBlocks : b);
}

template <int K>
__device__ void block_sum(double (&acc)[K], double* out) {
  __shared__ double partial[K][kThreads];
  for (int k = 0; k < K; ++k) partial[k][threadIdx.x] = acc[k];
  __syncthreads();
  for (int width = kThreads / 2; width > 0; width /= 2) {
    if (int(threadIdx.x) < width)
      for (int k = 0; k < K; ++k) partial[k][threadIdx.x] += partial[k][threadIdx.x + width];
    __syncthreads();
  }
  if (threadIdx.x == 0)
    for (int k = 0; k < K; ++k) out[k] = partial[k][0];
}

// An element of float32 data, or of half-precision data widened (exactly).
struct LoadFloat {
  using T = float;
  __device__ static float at(const float* p, size_t i) { return p[i]; }
};
template <Half F>
struct LoadHalf {
  using T = uint16_t;
  __device__ static float at(const uint16_t* p, size_t i) { return widen<F>(p[i]); }
};

template <class A, int K, class Load>
__global__ void __launch_bounds__(kThreads)
    param_grad_blocks(const typename Load::T* x, const typename Load::T* dy, size_t n, Params p,
                      double* block_sums) {
  double acc[K] = {};
  size_t stride = size_t(gridDim.x) * blockDim.x;
  for (size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    float t[K];
    A::template param_terms<float>(Load::at(x, i), Load::at(dy, i), p, t);
    for (int k = 0; k < K; ++k) acc[k] += double(t[k]);
  }
  block_sum<K>(acc, block_sums + size_t(blockIdx.x) * K);
}

template <int K>
__global__ void __launch_bounds__(kThreads)
    param_grad_total(const double* block_sums, unsigned blocks, double* sums) {
  double acc[K] = {};
  for (unsigned b = threadIdx.x; b < blocks; b += kThreads)
    for (int k = 0; k < K; ++k) acc[k] += block_sums[size_t(b) * K + k];
  block_sum<K>(acc, sums);
}

template <class A, int K, class Load>
cudaError_t param_grad_of(const Params& p, const void* x, const void* dy, size_t n, double* scratch,
                          cudaStream_t s) {
  using T = typename Load::T;
  unsigned blocks = reduce_blocks(n);
  param_grad_blocks<A, K, Load><<<blocks, kThreads, 0, s>>>(
      static_cast<const T*>(x), static_cast<const T*>(dy), n, p, scratch + K);
  param_grad_total<K><<<1, kThreads, 0, s>>>(scratch + K, blocks, scratch);
  return cudaGetLastError();
}

__global__ void fill(float* x, size_t n) {
  for (size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += size_t(gridDim.x) * blockDim.x)
    x[i] = fill_value(i);
}

}  // namespace

Steps steps_of(const Program& f, ExactProgram* ref) {
  Steps s{};
  s.count = int(f.steps.size());
  for (int i = 0; i < s.count; ++i) s.code[i] = f.steps[size_t(i)];
  if (ref) *ref = exact_program(f);  // the same post-order
  return s;
}

int param_grads_of(const Steps& f) { return f.count == 1 ? param_grad_count(Op(f.code[0].op)) : 0; }

cudaError_t launch_forward(const Steps& f, const float* x, float* y, size_t n, cudaStream_t s) {
  Span span = span_of(n, y, x, nullptr);
  return dispatch<ForwardOf>(f, [&](auto fn) {
    return launch(Map1<decltype(fn)>{fn, x, y}, span, s);
  });
}

cudaError_t launch_backward(const Steps& f, const float* x, const float* dy, float* out, size_t n,
                            cudaStream_t s) {
  Span span = span_of(n, out, x, dy);
  return dispatch<BackwardOf>(f, [&](auto fn) {
    return launch(Map2<decltype(fn)>{fn, x, dy, out}, span, s);
  });
}

size_t param_grad_scratch(size_t n, int k) { return size_t(k) * (1 + reduce_blocks(n)); }

cudaError_t launch_param_grad(const Steps& f, int half, const void* x, const void* dy, size_t n,
                              double* scratch, cudaStream_t s) {
  if (f.count != 1) return cudaErrorInvalidValue;
  const Params& p = f.code[0].p;
  return with_activation(Op(f.code[0].op), p, cudaErrorInvalidValue, [&](auto a) {
    using Tag = decltype(a);
    using A = typename Tag::type;
    if constexpr (Tag::trainable) {
      if (half == int(Half::Bf16))
        return param_grad_of<A, Tag::params, LoadHalf<Half::Bf16>>(p, x, dy, n, scratch, s);
      if (half == int(Half::F16))
        return param_grad_of<A, Tag::params, LoadHalf<Half::F16>>(p, x, dy, n, scratch, s);
      return param_grad_of<A, Tag::params, LoadFloat>(p, x, dy, n, scratch, s);
    } else {
      return cudaErrorInvalidValue;
    }
  });
}

cudaError_t launch_fill(float* x, size_t n, cudaStream_t s) {
  if (n == 0) return cudaSuccess;
  fill<<<blocks_for(n), kThreads, 0, s>>>(x, n);
  return cudaGetLastError();
}

// Every shifted load of span s stays in [0, n) of its input: the first starts at head - shift,
// the last ends at head + 4 vectors - shift + 4.
static bool loads_inside(const Span& s, int shift) {
  if (shift == 0 || s.vectors == 0) return true;
  return s.head >= size_t(shift) && s.head + 4 * s.vectors - size_t(shift) + 4 <= s.n;
}

bool elementwise_on_host(const Steps& f, bool backward, const float* x, const float* dy, float* out,
                         size_t n) {
  const Span span = backward ? span_of(n, out, x, dy) : span_of(n, out, x, nullptr);
  const size_t stride = 3 * size_t(kThreads);  // a grid of 3 blocks: every thread's share
  auto run = [&](const auto& map) {
    for (size_t tid = 0; tid < stride; ++tid) elementwise_thread(map, span, tid, stride);
    return cudaSuccess;
  };
  if (backward)
    dispatch<BackwardOf>(f, [&](auto fn) { return run(Map2<decltype(fn)>{fn, x, dy, out}); });
  else
    dispatch<ForwardOf>(f, [&](auto fn) { return run(Map1<decltype(fn)>{fn, x, out}); });
  return loads_inside(span, span.shift_a) && loads_inside(span, span.shift_b);
}

}  // namespace gpu
}  // namespace ak
