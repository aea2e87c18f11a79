// The CUDA half of the Node-API binding: device status, device memory, kernel launches on a
// per-device stream, completions that never block the event loop, and the benchmark's timer.
// lib/cuda.ts validates every argument and owns the user-facing messages; the checks here only
// keep a direct caller from crashing. Every CUDA error becomes a JS Error naming the call.
#include <napi.h>

#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "aptx_layer.h"
#include "kernels.h"

namespace ak {
namespace gpu {
namespace {

// A failed CUDA call, thrown on any thread and turned into a JS Error (or a rejection).
struct CudaFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(cudaError_t e, const char* call) {
  if (e == cudaSuccess) return;
  cudaGetLastError();  // clears a non-sticky error so that later calls do not report it
  throw CudaFailure(std::string(call) + " failed: " + cudaGetErrorString(e) + " (" +
                    std::to_string(int(e)) + ")");
}

[[noreturn]] void internal_error(Napi::Env env, const char* what) {
  throw Napi::TypeError::New(env, std::string("activation-kernels internal call: ") + what);
}

// Runs body, turning a CudaFailure into a JS Error.
template <class Body>
Napi::Value guarded(Napi::Env env, const Body& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {  // a CudaFailure, or std::bad_alloc
    throw Napi::Error::New(env, e.what());
  }
}

// Makes `device` current on this thread for a scope, restoring the caller's device after
// (other CUDA libraries in the process may rely on it).
class DeviceScope {
 public:
  explicit DeviceScope(int device) {
    check(cudaGetDevice(&previous_), "cudaGetDevice");
    if (previous_ != device) check(cudaSetDevice(device), "cudaSetDevice");
  }
  ~DeviceScope() { cudaSetDevice(previous_); }
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = 0;
};

// One non-blocking stream per device, created on first use and kept for the process (every JS
// context shares it: work on one device is queued in call order).
cudaStream_t stream_of(int device) {
  static std::mutex mutex;
  static std::vector<cudaStream_t> streams;
  std::lock_guard<std::mutex> lock(mutex);
  if (size_t(device) >= streams.size()) streams.resize(size_t(device) + 1, nullptr);
  cudaStream_t& s = streams[size_t(device)];
  if (!s) check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreate");
  return s;
}

// Device memory a GpuArray refers to. Owned memory is freed by dispose() or, failing that, by
// the finalizer of the External that holds it.
struct Allocation {
  float* ptr;
  size_t length;
  int device;
  bool owned;
};

void release(Allocation* a) {
  if (a->owned && a->ptr) {
    int previous = 0;
    cudaGetDevice(&previous);
    cudaSetDevice(a->device);
    cudaFree(a->ptr);  // waits for queued work on it; errors at exit are of no use to anyone
    cudaSetDevice(previous);
  }
  a->ptr = nullptr;
}

using Handle = Napi::External<Allocation>;

Handle new_handle(Napi::Env env, Allocation a) {
  return Handle::New(env, new Allocation(a), [](Napi::Env, Allocation* p) {
    release(p);
    delete p;
  });
}

Allocation& allocation(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsExternal()) internal_error(info.Env(), "expected a device buffer");
  Allocation* a = info[i].As<Handle>().Data();
  if (!a->ptr && a->length) internal_error(info.Env(), "device buffer already freed");
  return *a;
}

size_t size_arg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) internal_error(info.Env(), "expected a size");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= 9007199254740991.0) || v != double(size_t(v)))
    internal_error(info.Env(), "expected a size");
  return size_t(v);
}

int device_arg(const Napi::CallbackInfo& info, size_t i) {
  size_t d = size_arg(info, i);
  if (d > 1024) internal_error(info.Env(), "expected a device index");
  return int(d);
}

// A range of a device buffer: (handle, offset) with a length checked against the buffer.
struct Range {
  float* ptr;
  int device;
  Napi::Value keep;  // the handle, kept alive while queued work may use it
};

Range range_arg(const Napi::CallbackInfo& info, size_t i, size_t length) {
  Allocation& a = allocation(info, i);
  size_t offset = size_arg(info, i + 1);
  if (offset > a.length || length > a.length - offset)
    internal_error(info.Env(), "range outside the device buffer");
  return {a.ptr ? a.ptr + offset : nullptr, a.device, info[i]};
}

Program program_arg(const Napi::CallbackInfo& info, size_t i, RefProgram* ref = nullptr) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    internal_error(info.Env(), "expected an activation code");
  auto code = v.As<Napi::Float64Array>();
  Program f;
  if (!compile_program(code.Data(), code.ElementLength(), f, ref))
    internal_error(info.Env(), "malformed activation code");
  return f;
}

Napi::Float32Array float_array(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    internal_error(info.Env(), "expected a Float32Array");
  return v.As<Napi::Float32Array>();
}

enum class Pass { Forward, Backward, ParamGrad };

Pass pass_arg(const Napi::CallbackInfo& info, size_t i) {
  std::string name = info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : "";
  if (name == "forward") return Pass::Forward;
  if (name == "backward") return Pass::Backward;
  if (name == "paramGrad") return Pass::ParamGrad;
  internal_error(info.Env(), "expected a pass");
}

// Device memory for the duration of one call (host arrays, scratch): freed on every path.
class Scratch {
 public:
  template <class T>
  T* get(size_t count) {
    void* p = nullptr;
    if (count) check(cudaMalloc(&p, count * sizeof(T)), "cudaMalloc");
    blocks_.push_back(p);
    return static_cast<T*>(p);
  }
  void release() {
    for (void* p : blocks_) cudaFree(p);
    blocks_.clear();
  }
  ~Scratch() { release(); }

 private:
  std::vector<void*> blocks_;
};

// Queues one pass on stream s. For paramGrad the sums are left at scratch[0..k).
void queue_pass(Pass pass, const Program& f, const float* x, const float* dy, float* out, size_t n,
                double* sums_scratch, cudaStream_t s) {
  switch (pass) {
    case Pass::Forward: return check(launch_forward(f, x, out, n, s), "forward kernel launch");
    case Pass::Backward:
      return check(launch_backward(f, x, dy, out, n, s), "backward kernel launch");
    case Pass::ParamGrad:
      if (n == 0)
        return check(cudaMemsetAsync(sums_scratch, 0, 3 * sizeof(double), s), "cudaMemsetAsync");
      return check(launch_param_grad(f, x, dy, n, sums_scratch, s), "paramGrad kernel launch");
  }
}

size_t sums_scratch_size(Pass pass, const Program& f, size_t n) {
  if (pass != Pass::ParamGrad) return 0;
  size_t k = size_t(program_param_grads(f));
  size_t need = param_grad_scratch(n, int(k));
  return need < 3 ? 3 : need;
}

Napi::Value sums_value(Napi::Env env, const double* sums, int count) {
  auto result = Napi::Float64Array::New(env, size_t(count));
  for (int i = 0; i < count; ++i) result[size_t(i)] = sums[i];
  return result;
}

// ---------------------------------------------------------------------------------------------
// Status

Napi::Value status(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto result = Napi::Object::New(env);
  auto devices = Napi::Array::New(env);
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  std::string reason;
  if (e != cudaSuccess) {
    cudaGetLastError();
    std::string detail = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e) + " (" +
                         std::to_string(int(e)) + ")";
    if (e == cudaErrorInsufficientDriver)
      reason = "no NVIDIA driver, or one too old for this CUDA build (" + detail + ")";
    else if (e == cudaErrorNoDevice)
      reason = "no CUDA device was found (" + detail + ")";
    else
      reason = "CUDA could not be initialized (" + detail + ")";
    count = 0;
  } else if (count == 0) {
    reason = "no CUDA device was found";
  }
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp p;
    if (cudaGetDeviceProperties(&p, d) != cudaSuccess) {
      cudaGetLastError();
      continue;
    }
    auto dev = Napi::Object::New(env);
    dev["index"] = d;
    dev["name"] = p.name;
    dev["computeCapability"] = std::to_string(p.major) + "." + std::to_string(p.minor);
    dev["totalMemory"] = double(p.totalGlobalMem);
    devices[devices.Length()] = dev;
  }
  result["compiled"] = true;
  result["available"] = devices.Length() > 0;
  result["devices"] = devices;
  result["reason"] = reason.empty() ? env.Null() : Napi::String::New(env, reason);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Memory

// cudaAlloc(device, length) -> handle
Napi::Value alloc(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  size_t length = size_arg(info, 1);
  return guarded(info.Env(), [&]() -> Napi::Value {
    DeviceScope scope(device);
    float* p = nullptr;
    if (length) check(cudaMalloc(&p, length * sizeof(float)), "cudaMalloc");
    return new_handle(info.Env(), Allocation{p, length, device, true});
  });
}

// cudaWrap(device, address: bigint, length) -> non-owning handle
Napi::Value wrap(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  if (!info[1].IsBigInt()) internal_error(info.Env(), "expected a bigint address");
  bool lossless = false;
  uint64_t address = info[1].As<Napi::BigInt>().Uint64Value(&lossless);
  size_t length = size_arg(info, 2);
  if (!lossless || address % 4) internal_error(info.Env(), "expected an aligned address");
  return new_handle(
      info.Env(), Allocation{reinterpret_cast<float*>(uintptr_t(address)), length, device, false});
}

// cudaFree(handle): frees owned memory now (waiting for queued work on it).
Napi::Value free_now(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) internal_error(info.Env(), "expected a device buffer");
  release(info[0].As<Handle>().Data());
  return info.Env().Undefined();
}

// cudaAddress(handle, offset) -> bigint
Napi::Value address(const Napi::CallbackInfo& info) {
  Range r = range_arg(info, 0, 0);
  return Napi::BigInt::New(info.Env(), uint64_t(uintptr_t(r.ptr)));
}

// cudaUpload(handle, offset, Float32Array): queued; the host data is copied before it returns.
Napi::Value upload(const Napi::CallbackInfo& info) {
  Napi::Float32Array x = float_array(info, 2);
  Range r = range_arg(info, 0, x.ElementLength());
  return guarded(info.Env(), [&]() -> Napi::Value {
    if (x.ElementLength() == 0) return info.Env().Undefined();
    DeviceScope scope(r.device);
    check(cudaMemcpyAsync(r.ptr, x.Data(), x.ByteLength(), cudaMemcpyHostToDevice,
                          stream_of(r.device)),
          "cudaMemcpyAsync (upload)");
    return info.Env().Undefined();
  });
}

// Waits on a libuv thread for an event recorded after queued work, runs `then` there, and
// settles a promise: the event loop never blocks on the GPU.
class Completion : public Napi::AsyncWorker {
 public:
  using Then = std::function<void()>;
  using Result = std::function<Napi::Value(Napi::Env)>;

  Completion(Napi::Env env, int device, cudaEvent_t event, std::vector<Napi::Value> keep, Then then,
             Result result)
      : Napi::AsyncWorker(env, "activation-kernels:cuda"),
        deferred_(Napi::Promise::Deferred::New(env)),
        device_(device),
        event_(event),
        then_(std::move(then)),
        result_(std::move(result)) {
    for (auto& v : keep) keep_.push_back(Napi::Persistent(v));
  }
  ~Completion() override {
    if (event_) cudaEventDestroy(event_);
  }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      DeviceScope scope(device_);
      if (event_) check(cudaEventSynchronize(event_), "cudaEventSynchronize");
      if (then_) then_();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    deferred_.Resolve(result_ ? result_(env) : env.Undefined());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  int device_;
  cudaEvent_t event_;
  Then then_;
  Result result_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
};

// An event recorded on the device's stream now, after everything queued so far.
cudaEvent_t record(int device) {
  cudaEvent_t event = nullptr;
  check(cudaEventCreateWithFlags(&event, cudaEventDisableTiming), "cudaEventCreate");
  cudaError_t e = cudaEventRecord(event, stream_of(device));
  if (e != cudaSuccess) cudaEventDestroy(event);
  check(e, "cudaEventRecord");
  return event;
}

Napi::Value settle(Napi::Env env, int device, std::vector<Napi::Value> keep, Completion::Then then,
                   Completion::Result result) {
  auto* worker = new Completion(env, device, record(device), std::move(keep), std::move(then),
                                std::move(result));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

// Pinned host memory that a queued copy writes into.
struct Pinned {
  void* ptr = nullptr;
  explicit Pinned(size_t bytes) {
    if (bytes) check(cudaMallocHost(&ptr, bytes), "cudaMallocHost");
  }
  void release() {
    if (ptr) cudaFreeHost(ptr);
    ptr = nullptr;
  }
  ~Pinned() { release(); }
};

// cudaDownload(handle, offset, length) -> Promise<Float32Array>: after the queued work.
Napi::Value download(const Napi::CallbackInfo& info) {
  size_t length = size_arg(info, 2);
  Range r = range_arg(info, 0, length);
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto out = Napi::Float32Array::New(env, length);
    if (length == 0) {
      auto d = Napi::Promise::Deferred::New(env);
      d.Resolve(out);
      return d.Promise();
    }
    DeviceScope scope(r.device);
    auto staging = std::make_shared<Pinned>(length * sizeof(float));
    check(cudaMemcpyAsync(staging->ptr, r.ptr, length * sizeof(float), cudaMemcpyDeviceToHost,
                          stream_of(r.device)),
          "cudaMemcpyAsync (download)");
    float* dest = out.Data();
    return settle(
        env, r.device, {r.keep, out},
        [staging, dest, length] {
          std::memcpy(dest, staging->ptr, length * sizeof(float));
          staging->release();  // here, on the libuv thread: cudaFreeHost may wait for the device
        },
        [out_ref = std::make_shared<Napi::Reference<Napi::Float32Array>>(Napi::Persistent(out))](
            Napi::Env) -> Napi::Value { return out_ref->Value(); });
  });
}

// cudaSynchronize(device): waits for everything queued on the device's stream.
Napi::Value synchronize(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  return guarded(info.Env(), [&]() -> Napi::Value {
    DeviceScope scope(device);
    check(cudaStreamSynchronize(stream_of(device)), "cudaStreamSynchronize");
    return info.Env().Undefined();
  });
}

// cudaMemInfo(device) -> { free, total } in bytes
Napi::Value mem_info(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  return guarded(info.Env(), [&]() -> Napi::Value {
    DeviceScope scope(device);
    size_t free_bytes = 0, total = 0;
    check(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
    auto o = Napi::Object::New(info.Env());
    o["free"] = double(free_bytes);
    o["total"] = double(total);
    return o;
  });
}

// ---------------------------------------------------------------------------------------------
// Kernels on GpuArrays: cudaRun(pass, code, n, x, xOffset, dy|null, dyOffset, out|null,
// outOffset, async). forward/backward are queued and return at once (async: a promise settled
// when done); paramGrad returns (or resolves to) a Float64Array of sums.

Napi::Value run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Pass pass = pass_arg(info, 0);
  Program f = program_arg(info, 1);
  size_t n = size_arg(info, 2);
  Range x = range_arg(info, 3, n);
  std::vector<Napi::Value> keep{x.keep};
  Range dy{nullptr, x.device, env.Null()}, out{nullptr, x.device, env.Null()};
  if (pass != Pass::Forward) {
    dy = range_arg(info, 5, n);
    keep.push_back(dy.keep);
  }
  if (pass != Pass::ParamGrad) {
    out = range_arg(info, 7, n);
    keep.push_back(out.keep);
  }
  if (dy.device != x.device || out.device != x.device) internal_error(env, "mixed devices");
  bool async = info[9].ToBoolean();
  int k = program_param_grads(f);
  if (pass == Pass::ParamGrad && k == 0) internal_error(env, "no parameter gradients");
  return guarded(env, [&]() -> Napi::Value {
    DeviceScope scope(x.device);
    cudaStream_t s = stream_of(x.device);
    if (pass != Pass::ParamGrad) {
      queue_pass(pass, f, x.ptr, dy.ptr, out.ptr, n, nullptr, s);
      if (!async) return env.Undefined();
      return settle(env, x.device, keep, nullptr, nullptr);
    }
    // paramGrad: scratch for the block sums, freed once the sums are read.
    auto scratch = std::make_shared<Scratch>();
    double* sums = scratch->get<double>(sums_scratch_size(pass, f, n));
    queue_pass(pass, f, x.ptr, dy.ptr, nullptr, n, sums, s);
    auto host = std::make_shared<std::vector<double>>(size_t(k));
    auto read = [scratch, sums, host, k] {
      check(cudaMemcpy(host->data(), sums, size_t(k) * sizeof(double), cudaMemcpyDeviceToHost),
            "cudaMemcpy (paramGrad sums)");
      scratch->release();  // here, on the libuv thread: cudaFree may wait for the device
    };
    auto value = [host, k](Napi::Env e) { return sums_value(e, host->data(), k); };
    if (async) return settle(env, x.device, keep, read, value);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
    read();
    return value(env);
  });
}

// ---------------------------------------------------------------------------------------------
// The APTx Neuron layer on GpuArrays (cuda/aptx_layer.cu):
//   cudaAptxLayer(pass, batch, inputs, outputs, weights, weightsOffset, alpha, beta, gamma,
//                 delta, then the (handle, offset) pairs of x, y for 'forward', or of x, dy, dx,
//                 dalpha|null, dbeta, dgamma, ddelta for 'backward').
// The weights live on the host (the layer's writable Float32Arrays): every call uploads them
// into `weights` (3 m d + m floats, the caller's buffer, reused) on the device's stream before
// its kernels, so each kernel sees the weights of its own call and nothing can go stale; the
// host memory is copied before the call returns. Queued; returns at once.

size_t product(Napi::Env env, size_t a, size_t b) {
  if (a && b > size_t(9007199254740991.0) / a) internal_error(env, "shape too large");
  return a * b;
}

Napi::Value aptx_layer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Pass pass = pass_arg(info, 0);
  if (pass == Pass::ParamGrad) internal_error(env, "expected a pass");
  const AptxLayerShape s{size_arg(info, 1), size_arg(info, 2), size_arg(info, 3)};
  const size_t n = product(env, s.inputs, s.outputs);
  const size_t bd = product(env, s.batch, s.inputs), bm = product(env, s.batch, s.outputs);
  Range weights = range_arg(info, 4, 3 * n + s.outputs);
  Napi::Float32Array host[4] = {float_array(info, 6), float_array(info, 7), float_array(info, 8),
                                float_array(info, 9)};
  for (int k = 0; k < 4; ++k)
    if (host[k].ElementLength() != (k < 3 ? n : s.outputs)) internal_error(env, "weight length");
  const bool forward = pass == Pass::Forward;
  // forward: x, y; backward: x, dy, dx, dalpha, dbeta, dgamma, ddelta
  const size_t lengths[7] = {bd, bm, bd, n, n, n, s.outputs};
  const size_t count = forward ? 2 : 7;
  float* p[7] = {};
  for (size_t k = 0; k < count; ++k) {
    const size_t i = 10 + 2 * k;
    if (!forward && k == 3 && info[i].IsNull()) continue;  // alpha not trained
    Range r = range_arg(info, i, lengths[k]);
    if (r.device != weights.device) internal_error(env, "mixed devices");
    p[k] = r.ptr;
  }
  return guarded(env, [&]() -> Napi::Value {
    DeviceScope scope(weights.device);
    cudaStream_t st = stream_of(weights.device);
    float* w = weights.ptr;
    for (int k = 0; k < 4; ++k)
      if (host[k].ElementLength())
        check(cudaMemcpyAsync(w + size_t(k) * n, host[k].Data(), host[k].ByteLength(),
                              cudaMemcpyHostToDevice, st),
              "cudaMemcpyAsync (APTx layer weights)");
    const AptxLayerWeights dw{w, w + n, w + 2 * n, w + 3 * n};
    if (forward)
      check(launch_aptx_layer_forward(s, p[0], dw, p[1], st), "APTx layer forward kernel launch");
    else
      check(launch_aptx_layer_backward(s, p[0], p[1], dw, p[2],
                                       AptxLayerGrads{p[3], p[4], p[5], p[6]}, st),
            "APTx layer backward kernel launch");
    return env.Undefined();
  });
}

// ---------------------------------------------------------------------------------------------
// Host arrays computed on a device: cudaRunHost(pass, code, device, x, dy|null, out|null, async)
// uploads, computes, downloads into out (or returns the sums), freeing its device memory on
// every path. The async form does all of it on a libuv thread.

struct HostCall {
  Pass pass;
  Program f;
  int device;
  const float* x;
  const float* dy;
  float* out;
  size_t n;
  double sums[3] = {0, 0, 0};
  int k;

  void run() {
    DeviceScope scope(device);
    cudaStream_t s = stream_of(device);
    Scratch scratch;
    size_t bytes = n * sizeof(float);
    float* dx = scratch.get<float>(n);
    float* ddy = pass == Pass::Forward ? nullptr : scratch.get<float>(n);
    double* dsums = scratch.get<double>(sums_scratch_size(pass, f, n));
    if (n)
      check(cudaMemcpyAsync(dx, x, bytes, cudaMemcpyHostToDevice, s), "cudaMemcpyAsync (upload)");
    if (ddy && n)
      check(cudaMemcpyAsync(ddy, dy, bytes, cudaMemcpyHostToDevice, s), "cudaMemcpyAsync (upload)");
    float* dout = pass == Pass::Forward ? dx : ddy;  // in place on the device copy
    queue_pass(pass, f, dx, ddy, dout, n, dsums, s);
    if (pass == Pass::ParamGrad)
      check(cudaMemcpyAsync(sums, dsums, size_t(k) * sizeof(double), cudaMemcpyDeviceToHost, s),
            "cudaMemcpyAsync (paramGrad sums)");
    else if (n)
      check(cudaMemcpyAsync(out, dout, bytes, cudaMemcpyDeviceToHost, s),
            "cudaMemcpyAsync (download)");
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
  }
};

class HostWorker : public Napi::AsyncWorker {
 public:
  HostWorker(Napi::Env env, HostCall call, std::vector<Napi::Value> keep)
      : Napi::AsyncWorker(env, "activation-kernels:cuda"),
        deferred_(Napi::Promise::Deferred::New(env)),
        call_(call) {
    for (auto& v : keep) keep_.push_back(Napi::Persistent(v));
  }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      call_.run();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (call_.pass == Pass::ParamGrad)
      deferred_.Resolve(sums_value(env, call_.sums, call_.k));
    else
      deferred_.Resolve(env.Undefined());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  HostCall call_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
};

Napi::Value run_host(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HostCall c{};
  c.pass = pass_arg(info, 0);
  c.f = program_arg(info, 1);
  c.device = device_arg(info, 2);
  Napi::Float32Array x = float_array(info, 3);
  std::vector<Napi::Value> keep{x};
  c.x = x.Data();
  c.n = x.ElementLength();
  if (c.pass != Pass::Forward) {
    Napi::Float32Array dy = float_array(info, 4);
    if (dy.ElementLength() != c.n) internal_error(env, "dy length");
    c.dy = dy.Data();
    keep.push_back(dy);
  }
  if (c.pass != Pass::ParamGrad) {
    Napi::Float32Array out = float_array(info, 5);
    if (out.ElementLength() != c.n) internal_error(env, "out length");
    c.out = out.Data();
    keep.push_back(out);
  }
  c.k = program_param_grads(c.f);
  if (c.pass == Pass::ParamGrad && c.k == 0) internal_error(env, "no parameter gradients");
  bool async = info[6].ToBoolean();
  return guarded(env, [&]() -> Napi::Value {
    if (async) {
      auto* worker = new HostWorker(env, c, keep);
      Napi::Promise promise = worker->promise();
      worker->Queue();
      return promise;
    }
    c.run();
    if (c.pass == Pass::ParamGrad) return sums_value(env, c.sums, c.k);
    return env.Undefined();
  });
}

// ---------------------------------------------------------------------------------------------
// cudaTimeKernel(pass, code, n, iterations, device) -> milliseconds per call: CUDA events around
// `iterations` back-to-back launches on buffers it allocates (and frees) itself. 'copy' times a
// device-to-device cudaMemcpyAsync of n floats.

Napi::Value time_kernel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  bool copy = name == "copy";
  Pass pass = copy ? Pass::Forward : pass_arg(info, 0);
  Program f = program_arg(info, 1);
  size_t n = size_arg(info, 2);
  size_t iterations = size_arg(info, 3);
  int device = device_arg(info, 4);
  if (iterations < 1) internal_error(env, "expected at least one iteration");
  if (pass == Pass::ParamGrad && program_param_grads(f) == 0)
    internal_error(env, "no parameter gradients");
  return guarded(env, [&]() -> Napi::Value {
    DeviceScope scope(device);
    cudaStream_t s = stream_of(device);
    Scratch scratch;
    float* x = scratch.get<float>(n);
    float* dy = scratch.get<float>(n);
    float* out = scratch.get<float>(n);
    double* sums = scratch.get<double>(sums_scratch_size(pass, f, n));
    check(launch_fill(x, n, s), "fill kernel launch");
    check(launch_fill(dy, n, s), "fill kernel launch");
    auto once = [&] {
      if (copy)
        check(cudaMemcpyAsync(out, x, n * sizeof(float), cudaMemcpyDeviceToDevice, s),
              "cudaMemcpyAsync (copy)");
      else
        queue_pass(pass, f, x, dy, out, n, sums, s);
    };
    once();  // warm-up: module load, caches
    cudaEvent_t start = nullptr, stop = nullptr;
    check(cudaEventCreate(&start), "cudaEventCreate");
    cudaError_t e = cudaEventCreate(&stop);
    if (e != cudaSuccess) cudaEventDestroy(start);
    check(e, "cudaEventCreate");
    float ms = 0;
    try {
      check(cudaEventRecord(start, s), "cudaEventRecord");
      for (size_t i = 0; i < iterations; ++i) once();
      check(cudaEventRecord(stop, s), "cudaEventRecord");
      check(cudaEventSynchronize(stop), "cudaEventSynchronize");
      check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    } catch (...) {
      cudaEventDestroy(start);
      cudaEventDestroy(stop);
      throw;
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    return Napi::Number::New(env, double(ms) / double(iterations));
  });
}

// { worst, worstX, over } of an accuracy scan.
Napi::Value accuracy_value(Napi::Env env, const AccuracyResult& r) {
  float x;
  std::memcpy(&x, &r.worst_bits, sizeof x);
  auto o = Napi::Object::New(env);
  o["worst"] = r.worst;
  o["worstX"] = double(x);
  o["over"] = double(r.over);
  return o;
}

// cudaCheckEveryInput(code, pass, maxUlp, device) -> { worst, worstX, over }: the exhaustive
// 2^32-input accuracy check (scripts/gpu-check.sh).
Napi::Value check_every(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ref = std::make_unique<RefProgram>();
  Program f = program_arg(info, 0, ref.get());
  Pass pass = pass_arg(info, 1);
  if (!info[2].IsNumber()) internal_error(env, "expected a bound");
  double max_ulp = info[2].As<Napi::Number>().DoubleValue();
  int device = device_arg(info, 3);
  return guarded(env, [&]() -> Napi::Value {
    DeviceScope scope(device);
    AccuracyResult r{};
    check(check_every_input(f, *ref, pass == Pass::Backward, max_ulp, &r, stream_of(device)),
          "accuracy check kernel");
    return accuracy_value(env, r);
  });
}

// cudaCheckInputsOnHost(code, pass, maxUlp, stride) -> { worst, worstX, over }: the check above
// on the host over every stride-th input (the device code's references, tested without a GPU).
Napi::Value check_on_host(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ref = std::make_unique<RefProgram>();
  Program f = program_arg(info, 0, ref.get());
  Pass pass = pass_arg(info, 1);
  if (!info[2].IsNumber()) internal_error(env, "expected a bound");
  size_t stride = size_arg(info, 3);
  if (stride < 1 || stride > 0xffffffffu) internal_error(env, "expected a stride");
  AccuracyResult r = check_inputs_on_host(
      f, *ref, pass == Pass::Backward, info[2].As<Napi::Number>().DoubleValue(), uint32_t(stride));
  return accuracy_value(env, r);
}

}  // namespace

void register_cuda(Napi::Env env, Napi::Object exports) {
  exports["cudaStatus"] = Napi::Function::New(env, status);
  exports["cudaAlloc"] = Napi::Function::New(env, alloc);
  exports["cudaWrap"] = Napi::Function::New(env, wrap);
  exports["cudaFree"] = Napi::Function::New(env, free_now);
  exports["cudaAddress"] = Napi::Function::New(env, address);
  exports["cudaUpload"] = Napi::Function::New(env, upload);
  exports["cudaDownload"] = Napi::Function::New(env, download);
  exports["cudaSynchronize"] = Napi::Function::New(env, synchronize);
  exports["cudaMemInfo"] = Napi::Function::New(env, mem_info);
  exports["cudaRun"] = Napi::Function::New(env, run);
  exports["cudaRunHost"] = Napi::Function::New(env, run_host);
  exports["cudaAptxLayer"] = Napi::Function::New(env, aptx_layer);
  exports["cudaTimeKernel"] = Napi::Function::New(env, time_kernel);
  exports["cudaCheckEveryInput"] = Napi::Function::New(env, check_every);
  exports["cudaCheckInputsOnHost"] = Napi::Function::New(env, check_on_host);
}

}  // namespace gpu
}  // namespace ak
