// The device checks of the benchmark and scripts/gpu-check.sh: cudaTimeKernel (CUDA events around
// back-to-back launches), cudaCheckEveryInput (the exhaustive accuracy check on the device) and
// cudaCheckInputsOnHost (its references and error measure on the host, for tests without a GPU).
#include <cstring>
#include <memory>
#include <string>

#include "../../cuda/aptx_layer.h"
#include "args.h"
#include "device.h"
#include "errors.h"
#include "exports.h"
#include "launch.h"
#include "memory.h"

namespace ak {
namespace gpu {

// cudaTimeKernel(pass, code, n, iterations, device, format) -> milliseconds per call: CUDA events
// around `iterations` back-to-back launches on buffers it allocates (and frees) itself, of
// float32, or of the Half format `format` where it is given. 'copy' times a device-to-device
// cudaMemcpyAsync of the same bytes.

Napi::Value time_kernel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  bool copy = name == "copy";
  Pass pass = copy ? Pass::Forward : pass_arg(info, 0);
  const Work w = work_arg(info, pass, 1, 5);
  size_t n = size_arg(info, 2);
  size_t iterations = size_arg(info, 3);
  int device = device_arg(info, 4);
  if (iterations < 1) internal_error(env, "expected at least one iteration");
  if (pass == Pass::ParamGrad && param_grads_of(w.f) == 0)
    internal_error(env, "no parameter gradients");
  return guarded(env, [&]() -> Napi::Value {
    DeviceScope scope(device);
    cudaStream_t s = stream_of(device);
    Scratch scratch(s);
    const size_t bytes = size_product(env, n, w.elem());
    void* x = scratch.get<char>(bytes);
    void* dy = scratch.get<char>(bytes);
    void* out = scratch.get<char>(bytes);
    double* sums = scratch.get<double>(sums_scratch_size(pass, w.f, n));
    for (void* p : {x, dy})
      check(w.half < 0 ? launch_fill(static_cast<float*>(p), n, s)
                       : launch_fill_half(static_cast<uint16_t*>(p), n, Half(w.half), s),
            "fill kernel launch");
    auto once = [&] {
      if (copy)
        check(cudaMemcpyAsync(out, x, bytes, cudaMemcpyDeviceToDevice, s),
              "cudaMemcpyAsync (copy)");
      else
        queue_pass(pass, w, x, dy, out, n, sums, s);
    };
    once();  // warm-up: module load, caches
    cudaEvent_t start = nullptr, stop = nullptr;
    check(cudaEventCreate(&start), "cudaEventCreate");
    cudaError_t e = cudaEventCreate(&stop);
    if (e != cudaSuccess) ignore(cudaEventDestroy(start));
    check(e, "cudaEventCreate");
    float ms = 0;
    try {
      check(cudaEventRecord(start, s), "cudaEventRecord");
      for (size_t i = 0; i < iterations; ++i) once();
      check(cudaEventRecord(stop, s), "cudaEventRecord");
      check(cudaEventSynchronize(stop), "cudaEventSynchronize");
      check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    } catch (...) {
      ignore(cudaEventDestroy(start));
      ignore(cudaEventDestroy(stop));
      throw;
    }
    ignore(cudaEventDestroy(start));
    ignore(cudaEventDestroy(stop));
    return Napi::Number::New(env, double(ms) / double(iterations));
  });
}

namespace {

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

// The arguments both checks share: (code, pass, maxUlp, ...).
struct CheckArgs {
  Steps f;
  std::unique_ptr<ExactProgram> ref = std::make_unique<ExactProgram>();
  bool backward = false;
  double max_ulp = 0;
};

CheckArgs check_args(const Napi::CallbackInfo& info) {
  CheckArgs a;
  a.f = steps_arg(info, 0, a.ref.get());
  a.backward = pass_arg(info, 1) == Pass::Backward;
  if (!info[2].IsNumber()) internal_error(info.Env(), "expected a bound");
  a.max_ulp = info[2].As<Napi::Number>().DoubleValue();
  return a;
}

}  // namespace

// cudaCheckEveryInput(code, pass, maxUlp, device) -> { worst, worstX, over }: the exhaustive
// 2^32-input accuracy check (scripts/gpu-check.sh).
Napi::Value check_every(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgs a = check_args(info);
  int device = device_arg(info, 3);
  return guarded(env, [&]() -> Napi::Value {
    DeviceScope scope(device);
    AccuracyResult r{};
    check(check_every_input(a.f, *a.ref, a.backward, a.max_ulp, &r, stream_of(device)),
          "accuracy check kernel");
    return accuracy_value(env, r);
  });
}

// cudaCheckInputsOnHost(code, pass, maxUlp, stride) -> { worst, worstX, over }: the check above
// on the host over every stride-th input (the device code's references, tested without a GPU).
Napi::Value check_on_host(const Napi::CallbackInfo& info) {
  CheckArgs a = check_args(info);
  size_t stride = size_arg(info, 3);
  if (stride < 1 || stride > 0xffffffffu) internal_error(info.Env(), "expected a stride");
  return accuracy_value(info.Env(),
                        check_inputs_on_host(a.f, *a.ref, a.backward, a.max_ulp, uint32_t(stride)));
}

// cudaElementwiseOnHost(pass, code, x, dy|null, out) -> whether every shifted load stayed
// inside its input: the elementwise kernels' loop on the host, over views at any offset (tests).
Napi::Value elementwise_on_host_call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Pass pass = pass_arg(info, 0);
  if (pass == Pass::ParamGrad) internal_error(env, "expected a pass");
  Steps f = steps_arg(info, 1);
  Napi::Float32Array x = host_array(info, 2);
  const bool backward = pass == Pass::Backward;
  Napi::Float32Array out = host_array(info, 4);
  const float* dy = nullptr;
  if (backward) {
    Napi::Float32Array d = host_array(info, 3);
    if (d.ElementLength() != x.ElementLength()) internal_error(env, "dy length");
    dy = d.Data();
  }
  if (out.ElementLength() != x.ElementLength()) internal_error(env, "out length");
  return Napi::Boolean::New(
      env, elementwise_on_host(f, backward, x.Data(), dy, out.Data(), x.ElementLength()));
}

// cudaHalfOnHost(pass, code, format, x, dy|null, out): the half-precision kernels' loop on the
// host over Uint16Arrays of format 0 (bfloat16) or 1 (float16), views at any offset (tests).
Napi::Value half_on_host_call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Pass pass = pass_arg(info, 0);
  if (pass == Pass::ParamGrad) internal_error(env, "expected a pass");
  const bool backward = pass == Pass::Backward;
  ProgramArg program = program_arg(info, 1);
  const int half = half_arg(info, 2);
  if (half < 0) internal_error(env, "expected a half-precision format");
  Elements x = elements_array(info, 3, half);
  const void* dy = backward ? elements_array(info, 4, half, x.length).data : nullptr;
  Elements out = elements_array(info, 5, half, x.length);
  auto args = std::make_unique<HalfArgs>(half_args_of(*program.f, backward));
  half_on_host(steps_of(*program.f), *args, Half(half), backward,
               static_cast<const uint16_t*>(x.data), static_cast<const uint16_t*>(dy),
               static_cast<uint16_t*>(out.data), x.length);
  return env.Undefined();
}

// The binding's host-side decisions, exported so that tests without a GPU check the code the
// GPU path runs (test/cuda-host.test.ts):
// cudaLayerPlan(pass, batch, inputs, outputs) -> [{ kernel, gridX, gridY, threads, rowBlock0 }]
Napi::Value layer_plan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Pass pass = pass_arg(info, 0);
  const AptxLayerShape s{size_arg(info, 1), size_arg(info, 2), size_arg(info, 3)};
  const char* names[] = {"forward", "paramGrad", "deltaGrad", "inputGrad"};
  auto out = Napi::Array::New(env);
  for (const LayerLaunch& l : aptx_layer_plan(s, pass == Pass::Backward)) {
    auto o = Napi::Object::New(env);
    o["kernel"] = names[int(l.kernel)];
    o["gridX"] = double(l.grid_x);
    o["gridY"] = double(l.grid_y);
    o["threads"] = double(l.threads);
    o["rowBlock0"] = double(l.row_block0);
    out[out.Length()] = o;
  }
  return out;
}

// cudaStagingChunks(bytes) -> [[offset, bytes], ...]: how a transfer is staged
Napi::Value staging_chunks_call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto out = Napi::Array::New(env);
  for (const Chunk& c : staging_chunks(size_arg(info, 0))) {
    auto pair = Napi::Array::New(env, 2);
    pair[uint32_t(0)] = double(c.offset);
    pair[uint32_t(1)] = double(c.bytes);
    out[out.Length()] = pair;
  }
  return out;
}

// cudaPoolKeepBytes(totalMemory, setting: string | null) -> bytes the memory pool keeps
Napi::Value pool_keep_call(const Napi::CallbackInfo& info) {
  std::string setting = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  return Napi::Number::New(
      info.Env(),
      double(pool_keep_bytes(size_arg(info, 0), info[1].IsString() ? setting.c_str() : nullptr)));
}

// cudaScopeRestores(previous, device, previousActive) -> whether a DeviceScope gives previous back
Napi::Value scope_restores_call(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(
      info.Env(),
      scope_restores(int(size_arg(info, 0)), int(size_arg(info, 1)), info[2].ToBoolean()));
}

// cudaFailureMessage(call, errorCode, launches: string[]) -> the message of a failed call
// after the kernels `launches` were queued (launches are noted as the binding queues them)
Napi::Value failure_message_call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string call = info[0].As<Napi::String>().Utf8Value();
  auto code = cudaError_t(size_arg(info, 1));
  const int device = 1000;  // a device index no GPU has: the notes of real devices stay as they are
  note_synchronized(device);
  Napi::Array launches = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < launches.Length(); ++i)
    note_launch(device, launches.Get(i).As<Napi::String>().Utf8Value());
  std::string m = failure_message(call.c_str(), code, pending_launches(device));
  note_synchronized(device);
  return Napi::String::New(env, m);
}

}  // namespace gpu
}  // namespace ak
