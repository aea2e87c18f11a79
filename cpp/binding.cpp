// The Node-API binding: unwraps arguments and calls the kernels. lib/ validates everything a
// user passes and owns every message; the checks here only keep a direct caller from crashing.
#include <napi.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "cpu/compute.h"
#include "cpu/thread_pool.h"

namespace ak {

void export_aptx_layer(Napi::Env env, Napi::Object exports);  // layer/aptx_layer_binding.cpp
#ifdef AK_WITH_CUDA
namespace gpu {
void register_cuda(Napi::Env env, Napi::Object exports);  // cuda/binding/register.cpp
}
#endif
namespace {

// Per JS context (main thread, each worker): its own thread count.
struct AddonState {
  int threads = hardware_threads();
};

int threads_of(Napi::Env env) { return env.GetInstanceData<AddonState>()->threads; }

[[noreturn]] void internal_error(Napi::Env env, const char* what) {
  throw Napi::TypeError::New(env, std::string("activation-kernels internal call: ") + what);
}

Napi::Float32Array float_array(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    internal_error(info.Env(), "expected a Float32Array");
  return v.As<Napi::Float32Array>();
}

Activation activation_arg(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    internal_error(info.Env(), "expected an activation code");
  auto code = v.As<Napi::Float64Array>();
  Activation f;
  if (!decode_activation(code.Data(), code.ElementLength(), f))
    internal_error(info.Env(), "malformed activation code");
  return f;
}

// The arrays of one call, checked for length; `arrays` (named in `names`) are what an async
// call keeps alive.
struct Call {
  Activation f;
  const float* x = nullptr;
  const float* dy = nullptr;
  float* out = nullptr;
  size_t n = 0;
  std::vector<Napi::Object> arrays;
  std::vector<const char*> names;
};

Call unwrap(const Napi::CallbackInfo& info, bool with_dy, bool with_out) {
  Call c;
  c.f = activation_arg(info, 0);
  Napi::Float32Array x = float_array(info, 1);
  c.x = x.Data();
  c.n = x.ElementLength();
  c.arrays.push_back(x);
  c.names.push_back("x");
  size_t next = 2;
  if (with_dy) {
    Napi::Float32Array dy = float_array(info, next++);
    if (dy.ElementLength() != c.n) internal_error(info.Env(), "dy length");
    c.dy = dy.Data();
    c.arrays.push_back(dy);
    c.names.push_back("dy");
  }
  if (with_out) {
    Napi::Float32Array out = float_array(info, next);
    if (out.ElementLength() != c.n) internal_error(info.Env(), "out length");
    c.out = out.Data();
    c.arrays.push_back(out);
    c.names.push_back("out");
  }
  return c;
}

// The synchronous and asynchronous forms run the same `compute` over the same Call.
enum class Pass { Forward, Backward, ParamGrad };

void compute(Pass pass, const Call& c, int threads, double* sums) {
  switch (pass) {
    case Pass::Forward: return cpu_forward(c.f, c.x, c.out, c.n, threads);
    case Pass::Backward: return cpu_backward(c.f, c.x, c.dy, c.out, c.n, threads);
    case Pass::ParamGrad: return cpu_param_grad(c.f, c.x, c.dy, c.n, threads, sums);
  }
}

Call unwrap_pass(const Napi::CallbackInfo& info, Pass pass) {
  return unwrap(info, pass != Pass::Forward, pass != Pass::ParamGrad);
}

Napi::Value sums_value(Napi::Env env, const double* sums, int count) {
  auto result = Napi::Float64Array::New(env, size_t(count));
  for (int i = 0; i < count; ++i) result[size_t(i)] = sums[i];
  return result;
}

template <Pass P>
Napi::Value run_sync(const Napi::CallbackInfo& info) {
  Call c = unwrap_pass(info, P);
  double sums[3] = {0, 0, 0};
  compute(P, c, threads_of(info.Env()), sums);
  if (P == Pass::ParamGrad) return sums_value(info.Env(), sums, c.f.param_grads);
  return info.Env().Undefined();
}

// Runs on the libuv pool; the references keep the arrays alive until the promise settles.
// Node-API cannot pin an ArrayBuffer's memory against a transfer (postMessage or structuredClone
// with a transfer list moves it to a new owner): such a transfer during the call is reported as
// a TypeError when the call settles, and the receiver must keep the memory alive until then
// (README, "Threads, async calls and workers").
class PassWorker : public Napi::AsyncWorker {
 public:
  PassWorker(Napi::Env env, Pass pass, Call call, int threads)
      : Napi::AsyncWorker(env, "activation-kernels"),
        deferred_(Napi::Promise::Deferred::New(env)),
        pass_(pass),
        call_(std::move(call)),
        threads_(threads) {
    for (auto& a : call_.arrays) keep_.push_back(Napi::Persistent(a));
    call_.arrays.clear();
  }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { compute(pass_, call_, threads_, sums_); }
  void OnOK() override {
    Napi::Env env = Env();
    for (size_t i = 0; i < keep_.size(); ++i) {
      auto a = keep_[i].Value().As<Napi::TypedArray>();
      if (a.ElementLength() != call_.n)
        return deferred_.Reject(
            Napi::TypeError::New(env, std::string("Expected an attached Float32Array for ") +
                                          call_.names[i] +
                                          " until the call settled but received one detached "
                                          "(transferred) while it ran")
                .Value());
    }
    if (pass_ == Pass::ParamGrad)
      deferred_.Resolve(sums_value(env, sums_, call_.f.param_grads));
    else
      deferred_.Resolve(env.Undefined());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Pass pass_;
  Call call_;
  int threads_;
  double sums_[3] = {0, 0, 0};
  std::vector<Napi::ObjectReference> keep_;
};

template <Pass P>
Napi::Value run_async(const Napi::CallbackInfo& info) {
  Call c = unwrap_pass(info, P);
  auto* worker = new PassWorker(info.Env(), P, std::move(c), threads_of(info.Env()));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

Napi::Value isa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), cpu_isa()); }

Napi::Value supported_isas(const Napi::CallbackInfo& info) {
  auto names = cpu_supported_isas();
  auto list = Napi::Array::New(info.Env(), names.size());
  for (size_t i = 0; i < names.size(); ++i) list[i] = Napi::String::New(info.Env(), names[i]);
  return list;
}

Napi::Value set_isa(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) internal_error(info.Env(), "expected an ISA name");
  return Napi::Boolean::New(info.Env(), set_cpu_isa(info[0].As<Napi::String>()));
}

Napi::Value threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), threads_of(info.Env()));
}

Napi::Value set_threads(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) internal_error(info.Env(), "expected a thread count");
  double n = info[0].As<Napi::Number>().DoubleValue();  // NaN and huge values too
  info.Env().GetInstanceData<AddonState>()->threads = n >= 1 ? int(std::min(n, 1024.0)) : 1;
  return info.Env().Undefined();
}

Napi::Value max_threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), hardware_threads());
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonState);
  exports["forward"] = Napi::Function::New(env, run_sync<Pass::Forward>);
  exports["backward"] = Napi::Function::New(env, run_sync<Pass::Backward>);
  exports["paramGrad"] = Napi::Function::New(env, run_sync<Pass::ParamGrad>);
  exports["forwardAsync"] = Napi::Function::New(env, run_async<Pass::Forward>);
  exports["backwardAsync"] = Napi::Function::New(env, run_async<Pass::Backward>);
  exports["paramGradAsync"] = Napi::Function::New(env, run_async<Pass::ParamGrad>);
  exports["isa"] = Napi::Function::New(env, isa);
  exports["supportedIsas"] = Napi::Function::New(env, supported_isas);
  exports["setIsa"] = Napi::Function::New(env, set_isa);
  exports["threads"] = Napi::Function::New(env, threads);
  exports["setThreads"] = Napi::Function::New(env, set_threads);
  exports["maxThreads"] = Napi::Function::New(env, max_threads);
  export_aptx_layer(env, exports);
#ifdef AK_WITH_CUDA
  gpu::register_cuda(env, exports);
#endif
  return exports;
}

}  // namespace
}  // namespace ak

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return ak::init(env, exports); }
NODE_API_MODULE(activation_kernels, Init)
