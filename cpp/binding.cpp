// The Node-API binding: unwraps arguments and calls the kernels. lib/ validates everything a
// user passes and owns every message; the checks here only keep a direct caller from crashing.
// forward/backward (and their async forms) return false, computing nothing, when out partly
// overlaps an input: lib/'s fast path leaves that check to them and then takes its full checks,
// which throw the RangeError.
#include <napi.h>

#include <algorithm>
#include <cstdint>
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

// A typed array's data and length in one Node-API call (no wrapper objects: the per-call cost
// matters for small arrays).
struct Floats {
  napi_value value;
  float* data;
  size_t length;
};

Floats float_array(const Napi::CallbackInfo& info, size_t i) {
  napi_value v = info[i];
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  // napi_invalid_arg for anything but a typed array
  if (napi_get_typedarray_info(info.Env(), v, &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float32_array)
    internal_error(info.Env(), "expected a Float32Array");
  return {v, static_cast<float*>(data), length};
}

// lib/ decodes an activation once (prepare(code), cached in the Activation object) and passes
// the handle; a Float64Array code is still accepted and decoded on the call.
constexpr napi_type_tag kActivationTag = {0x6b1c0d5e2a9f4b37ull, 0x94e2a1c07d3f5b68ull};

Napi::Value prepare(const Napi::CallbackInfo& info) {
  Napi::Value v = info[0];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    internal_error(info.Env(), "expected an activation code");
  auto code = v.As<Napi::Float64Array>();
  auto f = std::make_unique<Activation>();
  if (!decode_activation(code.Data(), code.ElementLength(), *f))
    internal_error(info.Env(), "malformed activation code");
  auto handle = Napi::External<Activation>::New(info.Env(), f.release(),
                                                [](Napi::Env, Activation* a) { delete a; });
  handle.TypeTag(&kActivationTag);
  return handle;
}

// The arrays of one call, checked for length; `keep` (named in `names`) is what an async call
// keeps alive: the arrays and the activation's handle. No heap allocation for a handle.
struct Call {
  const Activation* f = nullptr;
  std::unique_ptr<Activation> decoded;  // only when a code was passed
  const float* x = nullptr;
  const float* dy = nullptr;
  float* out = nullptr;
  size_t n = 0;
  napi_value keep[4] = {};
  const char* names[4] = {};
  int kept = 0;
  bool partial_overlap = false;  // out is neither an input itself nor apart from it: not computed
};

// Memory, not buffers: views of different buffers never share it.
bool partly_overlaps(const float* out, const float* in, size_t n) {
  auto o = reinterpret_cast<uintptr_t>(out), i = reinterpret_cast<uintptr_t>(in);
  size_t bytes = n * sizeof(float);
  return o != i && o < i + bytes && i < o + bytes;
}

void activation_arg(const Napi::CallbackInfo& info, size_t i, Call& c) {
  Napi::Value v = info[i];
  void* data = nullptr;  // napi_invalid_arg, no exception, for anything but an external
  bool tagged = false;   // and only prepare()'s externals carry the tag
  if (napi_get_value_external(info.Env(), v, &data) == napi_ok &&
      napi_check_object_type_tag(info.Env(), v, &kActivationTag, &tagged) == napi_ok && tagged) {
    c.f = static_cast<const Activation*>(data);
  } else {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      internal_error(info.Env(), "expected an activation code");
    auto code = v.As<Napi::Float64Array>();
    c.decoded = std::make_unique<Activation>();
    if (!decode_activation(code.Data(), code.ElementLength(), *c.decoded))
      internal_error(info.Env(), "malformed activation code");
    c.f = c.decoded.get();
  }
  c.keep[c.kept] = v;
  c.names[c.kept++] = "the activation";
}

void unwrap(const Napi::CallbackInfo& info, bool with_dy, bool with_out, Call& c) {
  activation_arg(info, 0, c);
  Floats x = float_array(info, 1);
  c.x = x.data;
  c.n = x.length;
  c.keep[c.kept] = x.value;
  c.names[c.kept++] = "x";
  size_t next = 2;
  if (with_dy) {
    Floats dy = float_array(info, next++);
    if (dy.length != c.n) internal_error(info.Env(), "dy length");
    c.dy = dy.data;
    c.keep[c.kept] = dy.value;
    c.names[c.kept++] = "dy";
  }
  if (with_out) {
    Floats out = float_array(info, next);
    if (out.length != c.n) internal_error(info.Env(), "out length");
    c.out = out.data;
    c.keep[c.kept] = out.value;
    c.names[c.kept++] = "out";
    c.partial_overlap =
        partly_overlaps(c.out, c.x, c.n) || (c.dy && partly_overlaps(c.out, c.dy, c.n));
  }
}

// The synchronous and asynchronous forms run the same `compute` over the same Call.
enum class Pass { Forward, Backward, ParamGrad };

void compute(Pass pass, const Call& c, int threads, double* sums) {
  switch (pass) {
    case Pass::Forward: return cpu_forward(*c.f, c.x, c.out, c.n, threads);
    case Pass::Backward: return cpu_backward(*c.f, c.x, c.dy, c.out, c.n, threads);
    case Pass::ParamGrad: return cpu_param_grad(*c.f, c.x, c.dy, c.n, threads, sums);
  }
}

void unwrap_pass(const Napi::CallbackInfo& info, Pass pass, Call& c) {
  unwrap(info, pass != Pass::Forward, pass != Pass::ParamGrad, c);
}

Napi::Value sums_value(Napi::Env env, const double* sums, int count) {
  auto result = Napi::Float64Array::New(env, size_t(count));
  for (int i = 0; i < count; ++i) result[size_t(i)] = sums[i];
  return result;
}

template <Pass P>
Napi::Value run_sync(const Napi::CallbackInfo& info) {
  Call c;
  unwrap_pass(info, P, c);
  if (c.partial_overlap) return Napi::Boolean::New(info.Env(), false);
  double sums[3] = {0, 0, 0};
  compute(P, c, threads_of(info.Env()), sums);
  if (P == Pass::ParamGrad) return sums_value(info.Env(), sums, c.f->param_grads);
  return Napi::Value();  // undefined, without a call for it
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
    for (int i = 0; i < call_.kept; ++i)
      keep_[i] = Napi::Persistent(Napi::Value(env, call_.keep[i]));
  }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { compute(pass_, call_, threads_, sums_); }
  void OnOK() override {
    Napi::Env env = Env();
    for (int i = 1; i < call_.kept; ++i) {  // keep_[0] is the activation
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
      deferred_.Resolve(sums_value(env, sums_, call_.f->param_grads));
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
  Napi::Reference<Napi::Value> keep_[4];
};

template <Pass P>
Napi::Value run_async(const Napi::CallbackInfo& info) {
  Call c;
  unwrap_pass(info, P, c);
  if (c.partial_overlap) return Napi::Boolean::New(info.Env(), false);
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
  exports["prepare"] = Napi::Function::New(env, prepare);
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
