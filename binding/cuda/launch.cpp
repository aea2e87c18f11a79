// Kernels on GpuArrays (cudaRun) and on host arrays through the device (cudaRunHost).
#include "launch.h"

#include <memory>
#include <vector>

#include "completion.h"
#include "device.h"
#include "errors.h"
#include "exports.h"
#include "memory.h"
#include "../task.h"

namespace ak {
namespace gpu {

void queue_pass(Pass pass, const Steps& f, const float* x, const float* dy, float* out, size_t n,
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
      return settle(env, x.device, keep, nullptr, nullptr);
    }
    // paramGrad: scratch for the block sums, freed once the sums are read.
    auto scratch = std::make_shared<Scratch>(s);
    double* sums = scratch->get<double>(sums_scratch_size(pass, f, n));
    queue_pass(pass, f, x.ptr, dy.ptr, nullptr, n, sums, s);
    auto host = std::make_shared<std::vector<double>>(size_t(k));
    auto read = [scratch, sums, host, k] {
      check(cudaMemcpy(host->data(), sums, size_t(k) * sizeof(double), cudaMemcpyDeviceToHost),
            "cudaMemcpy (paramGrad sums)");
      scratch->release();
    };
    auto value = [host, k](Napi::Env e) { return sums_value(e, host->data(), k); };
    if (async) return settle(env, x.device, keep, read, value);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
    read();
    return value(env);
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
  bool blocking = false;  // wait with a blocking-sync event (the async form)

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
    if (blocking)
      wait_blocking(s);  // on a libuv thread: sleep, do not spin
    else
      check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
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
      c.blocking = true;
      return Task<HostCall>::queue(env, c, keep);
    }
    c.run();
    return c.result(env);
  });
}

}  // namespace gpu
}  // namespace ak
