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

void queue_pass(Pass pass, const Steps& f, const float* x, const float* dy, float* out, size_t n,
                double* sums_scratch, cudaStream_t s) {
  int device = 0;
  if (cudaGetDevice(&device) == cudaSuccess) note_launch(device, kernel_label(pass, f, n));
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

size_t sums_scratch_size(Pass pass, const Steps& f, size_t n) {
  if (pass != Pass::ParamGrad) return 0;
  size_t k = size_t(param_grads_of(f));
  size_t need = param_grad_scratch(n, int(k));
  return need < 3 ? 3 : need;
}

// cudaRun(pass, code, n, x, xOffset, dy|null, dyOffset, out|null, outOffset, async).
// forward/backward are queued and return at once (async: a promise settled when done);
// paramGrad returns (or resolves to) a Float64Array of sums.
Napi::Value run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Pass pass = pass_arg(info, 0);
  Steps f = steps_arg(info, 1);
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
  int k = param_grads_of(f);
  if (pass == Pass::ParamGrad && k == 0) internal_error(env, "no parameter gradients");
  return guarded(env, [&]() -> Napi::Value {
    DeviceScope scope(x.device);
    cudaStream_t s = stream_of(x.device);
    if (pass != Pass::ParamGrad) {
      queue_pass(pass, f, x.ptr, dy.ptr, out.ptr, n, nullptr, s);
      if (!async) return env.Undefined();
      return settle(env, x.device, keep, nullptr, kernel_label(pass, f, n).c_str());
    }
    // paramGrad: scratch for the block sums, freed (stream-ordered) once the copy is queued
    Scratch scratch(s);
    double* sums = scratch.get<double>(sums_scratch_size(pass, f, n));
    queue_pass(pass, f, x.ptr, dy.ptr, nullptr, n, sums, s);
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
  Steps f;
  int device;
  const float* x;
  const float* dy;
  float* out;
  size_t n;
  double sums[3] = {0, 0, 0};
  int k;
  // The synchronous form: the calling thread waits for the device.
  void run() {
    DeviceScope scope(device);
    cudaStream_t s = stream_of(device);
    Scratch scratch(s);
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
    note_synchronized(device);
  }

  // The async form: everything queued at once, the host copies staged through pinned buffers
  // by the stream itself (memory.h); no thread waits.
  static Napi::Value queue(Napi::Env env, std::shared_ptr<HostCall> c,
                           std::vector<Napi::Value> keep) {
    DeviceScope scope(c->device);
    cudaStream_t s = stream_of(c->device);
    Scratch scratch(s);  // freed in stream order after the work queued below
    const size_t n = c->n, bytes = n * sizeof(float);
    float* dx = scratch.get<float>(n);
    float* ddy = c->pass == Pass::Forward ? nullptr : scratch.get<float>(n);
    double* dsums = scratch.get<double>(sums_scratch_size(c->pass, c->f, n));
    auto* done = new Completion(env, c->device, s, std::move(keep), kernel_label(c->pass, c->f, n));
    try {
      upload_staged(*done, dx, c->x, bytes, s);
      if (ddy) upload_staged(*done, ddy, c->dy, bytes, s);
      float* dout = c->pass == Pass::Forward ? dx : ddy;
      queue_pass(c->pass, c->f, dx, ddy, dout, n, dsums, s);
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

// cudaRunHost(pass, code, device, x, dy|null, out|null, async): a host array computed on a
// device. The async form does all of it on a libuv thread.
Napi::Value run_host(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HostCall c{};
  c.pass = pass_arg(info, 0);
  c.f = steps_arg(info, 1);
  c.device = device_arg(info, 2);
  Napi::Float32Array x = host_array(info, 3);
  std::vector<napi_value> keep{x};
  c.x = x.Data();
  c.n = x.ElementLength();
  if (c.pass != Pass::Forward) {
    Napi::Float32Array dy = host_array(info, 4);
    if (dy.ElementLength() != c.n) internal_error(env, "dy length");
    c.dy = dy.Data();
    keep.push_back(dy);
  }
  if (c.pass != Pass::ParamGrad) {
    Napi::Float32Array out = host_array(info, 5);
    if (out.ElementLength() != c.n) internal_error(env, "out length");
    c.out = out.Data();
    keep.push_back(out);
  }
  c.k = param_grads_of(c.f);
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
