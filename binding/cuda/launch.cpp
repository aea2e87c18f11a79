// Kernels on GpuArrays (cudaRun) and on host arrays through the device (cudaRunHost).
#include "launch.h"

#include <memory>
#include <string>
#include <vector>

#include "completion.h"
#include "device.h"
#include "errors.h"
#include "exports.h"
#include "memory.h"

namespace ak {
namespace gpu {

std::string kernel_label(Pass pass, const Steps& f, size_t n) {
  const char* passes[] = {"forward", "backward", "paramGrad"};
  std::string what = f.count == 1 && f.code[0].op >= 0 && f.code[0].op < int(Op::Count)
                         ? std::string(op_info(Op(f.code[0].op)).name)
                         : "blend of " + std::to_string((f.count + 1) / 2);
  return what + " " + passes[int(pass)] + " kernel (n = " + std::to_string(n) + ")";
}

Work work_arg(const Napi::CallbackInfo& info, Pass pass, size_t code, size_t format) {
  ProgramArg program = program_arg(info, code);
  Work w{steps_of(*program.f), half_arg(info, format), nullptr};
  if (w.half >= 0 && pass != Pass::ParamGrad)
    w.args = std::make_shared<const HalfArgs>(half_args_of(*program.f, pass == Pass::Backward));
  return w;
}

void queue_pass(Pass pass, const Work& w, const void* x, const void* dy, void* out, size_t n,
                double* sums_scratch, cudaStream_t s) {
  int device = 0;
  if (cudaGetDevice(&device) == cudaSuccess) note_launch(device, kernel_label(pass, w.f, n));
  const auto* fx = static_cast<const float*>(x);
  const auto* fdy = static_cast<const float*>(dy);
  if (w.half >= 0 && pass != Pass::ParamGrad)
    return check(launch_half(w.f, *w.args, Half(w.half), pass == Pass::Backward,
                             static_cast<const uint16_t*>(x), static_cast<const uint16_t*>(dy),
                             static_cast<uint16_t*>(out), n, s),
                 "half-precision kernel launch");
  switch (pass) {
    case Pass::Forward:
      return check(launch_forward(w.f, fx, static_cast<float*>(out), n, s), "forward kernel launch");
    case Pass::Backward:
      return check(launch_backward(w.f, fx, fdy, static_cast<float*>(out), n, s),
                   "backward kernel launch");
    case Pass::ParamGrad:
      if (n == 0)
        return check(cudaMemsetAsync(sums_scratch, 0, 3 * sizeof(double), s), "cudaMemsetAsync");
      return check(launch_param_grad(w.f, w.half, x, dy, n, sums_scratch, s),
                   "paramGrad kernel launch");
  }
}

size_t sums_scratch_size(Pass pass, const Steps& f, size_t n) {
  if (pass != Pass::ParamGrad) return 0;
  size_t k = size_t(param_grads_of(f));
  size_t need = param_grad_scratch(n, int(k));
  return need < 3 ? 3 : need;
}

// cudaRun(pass, code, n, x, xOffset, dy|null, dyOffset, out|null, outOffset, async, format).
// forward/backward are queued and return at once (async: a promise settled when done);
// paramGrad returns (or resolves to) a Float64Array of sums. format: undefined for float32
// buffers, else the Half format of 2-byte buffers.
Napi::Value run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Pass pass = pass_arg(info, 0);
  const Work w = work_arg(info, pass, 1, 10);
  const Steps& f = w.f;
  size_t n = size_arg(info, 2);
  Range x = range_arg(info, 3, n);
  std::vector<Napi::Value> keep{x.keep};
  Range dy{nullptr, x.device, env.Null(), x.elem}, out{nullptr, x.device, env.Null(), x.elem};
  if (pass != Pass::Forward) {
    dy = range_arg(info, 5, n);
    keep.push_back(dy.keep);
  }
  if (pass != Pass::ParamGrad) {
    out = range_arg(info, 7, n);
    keep.push_back(out.keep);
  }
  if (dy.device != x.device || out.device != x.device) internal_error(env, "mixed devices");
  for (const Range* r : {&x, &dy, &out})
    if (r->ptr && r->elem != w.elem()) internal_error(env, "mixed element types");
  bool async = info[9].ToBoolean();
  int k = param_grads_of(f);
  if (pass == Pass::ParamGrad && k == 0) internal_error(env, "no parameter gradients");
  return guarded(env, [&]() -> Napi::Value {
    DeviceScope scope(x.device);
    cudaStream_t s = stream_of(x.device);
    if (pass != Pass::ParamGrad) {
      queue_pass(pass, w, x.ptr, dy.ptr, out.ptr, n, nullptr, s);
      if (!async) return env.Undefined();
      return settle(env, x.device, keep, nullptr, kernel_label(pass, f, n).c_str());
    }
    // paramGrad: scratch for the block sums, freed (stream-ordered) once the copy is queued
    Scratch scratch(s);
    double* sums = scratch.get<double>(sums_scratch_size(pass, f, n));
    queue_pass(pass, w, x.ptr, dy.ptr, nullptr, n, sums, s);
    if (!async) {
      std::vector<double> host(static_cast<size_t>(k));
      check(
          cudaMemcpyAsync(host.data(), sums, size_t(k) * sizeof(double), cudaMemcpyDeviceToHost, s),
          "cudaMemcpyAsync (paramGrad sums)");
      check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
      note_synchronized(x.device);
      return sums_value(env, host.data(), k);
    }
    auto host = std::make_shared<std::vector<double>>(size_t(k));
    auto* c = new Completion(env, x.device, s, keep, kernel_label(pass, f, n));
    try {
      download_staged(*c, host->data(), sums, size_t(k) * sizeof(double), s);
    } catch (...) {
      c->abandon();
      throw;
    }
    return c->finish([host, k](Napi::Env e) { return sums_value(e, host->data(), k); });
  });
}

namespace {

// A host-array call: upload, compute, download into out (or read the sums), freeing its device
// memory on every path.
struct HostCall {
  Pass pass;
  Work w;
  int device;
  const void* x;
  const void* dy;
  void* out;
  size_t n;
  double sums[3] = {0, 0, 0};
  int k;
  // The synchronous form: the calling thread waits for the device.
  void run() {
    DeviceScope scope(device);
    cudaStream_t s = stream_of(device);
    Scratch scratch(s);
    size_t bytes = n * w.elem();
    void* dx = scratch.get<char>(bytes);
    void* ddy = pass == Pass::Forward ? nullptr : scratch.get<char>(bytes);
    double* dsums = scratch.get<double>(sums_scratch_size(pass, w.f, n));
    if (n)
      check(cudaMemcpyAsync(dx, x, bytes, cudaMemcpyHostToDevice, s), "cudaMemcpyAsync (upload)");
    if (ddy && n)
      check(cudaMemcpyAsync(ddy, dy, bytes, cudaMemcpyHostToDevice, s), "cudaMemcpyAsync (upload)");
    void* dout = pass == Pass::Forward ? dx : ddy;  // in place on the device copy
    queue_pass(pass, w, dx, ddy, dout, n, dsums, s);
    if (pass == Pass::ParamGrad)
      check(cudaMemcpyAsync(sums, dsums, size_t(k) * sizeof(double), cudaMemcpyDeviceToHost, s),
            "cudaMemcpyAsync (paramGrad sums)");
    else if (n)
      check(cudaMemcpyAsync(out, dout, bytes, cudaMemcpyDeviceToHost, s),
            "cudaMemcpyAsync (download)");
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
    note_synchronized(device);
  }

  // The async form: everything queued at once, the host copies staged through pinned buffers
  // by the stream itself (memory.h); no thread waits.
  static Napi::Value queue(Napi::Env env, std::shared_ptr<HostCall> c,
                           std::vector<Napi::Value> keep) {
    DeviceScope scope(c->device);
    cudaStream_t s = stream_of(c->device);
    Scratch scratch(s);  // freed in stream order after the work queued below
    const size_t n = c->n, bytes = n * c->w.elem();
    void* dx = scratch.get<char>(bytes);
    void* ddy = c->pass == Pass::Forward ? nullptr : scratch.get<char>(bytes);
    double* dsums = scratch.get<double>(sums_scratch_size(c->pass, c->w.f, n));
    auto* done =
        new Completion(env, c->device, s, std::move(keep), kernel_label(c->pass, c->w.f, n));
    try {
      upload_staged(*done, dx, c->x, bytes, s);
      if (ddy) upload_staged(*done, ddy, c->dy, bytes, s);
      void* dout = c->pass == Pass::Forward ? dx : ddy;
      queue_pass(c->pass, c->w, dx, ddy, dout, n, dsums, s);
      if (c->pass == Pass::ParamGrad)
        download_staged(*done, c->sums, dsums, size_t(c->k) * sizeof(double), s);
      else
        download_staged(*done, c->out, dout, bytes, s);
    } catch (...) {
      done->abandon();
      throw;
    }
    return done->finish([c](Napi::Env e) { return c->result(e); });
  }
  Napi::Value result(Napi::Env env, const std::vector<Napi::Value>& = {}) const {
    if (pass == Pass::ParamGrad) return sums_value(env, sums, k);
    return env.Undefined();
  }
};

}  // namespace

// cudaRunHost(pass, code, device, x, dy|null, out|null, async, format): a host array computed on
// a device: Float32Arrays, or Uint16Arrays of the Half format `format`. The async form does all
// of it on a libuv thread.
Napi::Value run_host(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HostCall c{};
  c.pass = pass_arg(info, 0);
  c.w = work_arg(info, c.pass, 1, 7);
  c.device = device_arg(info, 2);
  Elements x = elements_array(info, 3, c.w.half);
  std::vector<napi_value> keep{x.value};
  c.x = x.data;
  c.n = x.length;
  if (c.pass != Pass::Forward) {
    Elements dy = elements_array(info, 4, c.w.half, c.n);
    c.dy = dy.data;
    keep.push_back(dy.value);
  }
  if (c.pass != Pass::ParamGrad) {
    Elements out = elements_array(info, 5, c.w.half, c.n);
    c.out = out.data;
    keep.push_back(out.value);
  }
  c.k = param_grads_of(c.w.f);
  if (c.pass == Pass::ParamGrad && c.k == 0) internal_error(env, "no parameter gradients");
  bool async = info[6].ToBoolean();
  return guarded(env, [&]() -> Napi::Value {
    if (async) {
      std::vector<Napi::Value> kept;
      for (napi_value v : keep) kept.push_back(Napi::Value(env, v));
      return HostCall::queue(env, std::make_shared<HostCall>(c), std::move(kept));
    }
    c.run();
    return c.result(env);
  });
}

}  // namespace gpu
}  // namespace ak
