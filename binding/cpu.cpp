// The CPU exports: one activation pass over host arrays, on the calling thread or (the Async
// forms) on the libuv pool; the ISA and thread settings. The program comes first, then x, dy and
// out as the pass needs them: forward(program, x, out), backward(program, x, dy, out),
// paramGrad(program, x, dy). forward and backward (and their async forms) return false,
// computing nothing, when out partly overlaps an input: lib/'s fast path leaves that check to
// them and then takes its full checks, which throw the RangeError.
#include <algorithm>
#include <cstdint>

#include "../cpp/cpu/compute.h"
#include "../cpp/cpu/thread_pool.h"
#include "args.h"
#include "exports.h"
#include "task.h"

namespace ak {
namespace {

// Per JS context (main thread, each worker): its own thread count.
struct AddonState {
  int threads = hardware_threads();
};

int threads_of(Napi::Env env) { return env.GetInstanceData<AddonState>()->threads; }

// The arrays of one pass, checked for length.
struct Call {
  Pass pass;
  ProgramArg f;
  Floats x{}, dy{}, out{};
  int threads = 1;
  double sums[kMaxParams] = {};
  bool partial_overlap = false;  // out is neither an input itself nor apart from it: not computed

  void run() {
    switch (pass) {
      case Pass::Forward: return cpu_forward(*f.f, x.data, out.data, x.length, threads);
      case Pass::Backward:
        return cpu_backward(*f.f, x.data, dy.data, out.data, x.length, threads);
      case Pass::ParamGrad:
        return cpu_param_grad(*f.f, x.data, dy.data, x.length, threads, sums);
    }
  }
  // The async form's value, on the main thread once the work is done. Node-API cannot pin an
  // ArrayBuffer's memory against a transfer (postMessage, structuredClone with a transfer
  // list): such a transfer during the call is reported here (docs/threads.md).
  // kept: the program, x, then dy and out where the pass has them (run_async's order).
  Napi::Value result(Napi::Env env, const std::vector<Napi::Value>& kept) const {
    const char* names[] = {"x", dy.value ? "dy" : "out", "out"};
    for (size_t i = 1; i < kept.size(); ++i) {
      size_t length = 0;
      napi_get_typedarray_info(env, kept[i], nullptr, &length, nullptr, nullptr, nullptr);
      if (length != x.length)
        throw Napi::TypeError::New(
            env, std::string("Expected an attached Float32Array for ") + names[i - 1] +
                     " until the call settled but received one detached (transferred) while it ran");
    }
    if (pass == Pass::ParamGrad) return sums_value(env, sums, f.f->param_grads);
    return env.Undefined();
  }
};

// Memory, not buffers: views of different buffers never share it.
bool partly_overlaps(const float* out, const float* in, size_t n) {
  auto o = reinterpret_cast<uintptr_t>(out), i = reinterpret_cast<uintptr_t>(in);
  size_t bytes = n * sizeof(float);
  return o != i && o < i + bytes && i < o + bytes;
}

Call unwrap(const Napi::CallbackInfo& info, Pass pass) {
  Call c{pass, program_arg(info, 0)};
  c.threads = threads_of(info.Env());
  c.x = float_array(info, 1);
  size_t next = 2;
  if (pass != Pass::Forward) c.dy = float_array(info, next++, c.x.length);
  if (pass != Pass::ParamGrad) {
    c.out = float_array(info, next, c.x.length);
    c.partial_overlap = partly_overlaps(c.out.data, c.x.data, c.x.length) ||
                        (c.dy.data && partly_overlaps(c.out.data, c.dy.data, c.x.length));
  }
  return c;
}

template <Pass P>
Napi::Value run_sync(const Napi::CallbackInfo& info) {
  Call c = unwrap(info, P);
  if (c.partial_overlap) return Napi::Boolean::New(info.Env(), false);
  c.run();
  if (P == Pass::ParamGrad) return sums_value(info.Env(), c.sums, c.f.f->param_grads);
  return Napi::Value();  // undefined, without a call for it
}

template <Pass P>
Napi::Value run_async(const Napi::CallbackInfo& info) {
  Call c = unwrap(info, P);
  if (c.partial_overlap) return Napi::Boolean::New(info.Env(), false);
  std::vector<napi_value> keep{c.f.value, c.x.value};
  if (c.dy.value) keep.push_back(c.dy.value);
  if (c.out.value) keep.push_back(c.out.value);
  return Task<Call>::queue(info.Env(), std::move(c), keep);
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

}  // namespace

void export_cpu(Napi::Env env, Napi::Object exports) {
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
}

}  // namespace ak
