// The APTx Neuron layer on GpuArrays (cuda/aptx_layer.cu):
//   cudaAptxLayer(pass, batch, inputs, outputs, weights, weightsOffset, alpha, beta, gamma,
//                 delta, then the (handle, offset) pairs of x, y for 'forward', or of x, dy, dx,
//                 dalpha|null, dbeta, dgamma, ddelta for 'backward').
// The weights live on the host (the layer's writable Float32Arrays): every call uploads them
// into `weights` (3 m d + m floats, the caller's buffer, reused) on the device's stream before
// its kernels, so each kernel sees the weights of its own call and nothing can go stale; the
// host memory is copied before the call returns. Queued; returns at once.
#include <string>

#include "../../cuda/aptx_layer.h"
#include "args.h"
#include "device.h"
#include "errors.h"
#include "exports.h"
#include "memory.h"

namespace ak {
namespace gpu {

Napi::Value aptx_layer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Pass pass = pass_arg(info, 0);
  if (pass == Pass::ParamGrad) internal_error(env, "expected a pass");
  const AptxLayerShape s{size_arg(info, 1), size_arg(info, 2), size_arg(info, 3)};
  const size_t n = size_product(env, s.inputs, s.outputs);
  const size_t bd = size_product(env, s.batch, s.inputs),
               bm = size_product(env, s.batch, s.outputs);
  Range weights = range_arg(info, 4, 3 * n + s.outputs);
  if (weights.elem != 4) internal_error(env, "expected float32 weights");
  Napi::Float32Array host[4] = {host_array(info, 6), host_array(info, 7), host_array(info, 8),
                                host_array(info, 9)};
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
    if (r.elem != 4) internal_error(env, "expected float32 arrays");
    p[k] = r.floats();
  }
  return guarded(env, [&]() -> Napi::Value {
    DeviceScope scope(weights.device);
    cudaStream_t st = stream_of(weights.device);
    float* w = weights.floats();
    for (int k = 0; k < 4; ++k)
      if (host[k].ElementLength())
        check(cudaMemcpyAsync(w + size_t(k) * n, host[k].Data(), host[k].ByteLength(),
                              cudaMemcpyHostToDevice, st),
              "cudaMemcpyAsync (APTx layer weights)");
    const AptxLayerWeights dw{w, w + n, w + 2 * n, w + 3 * n};
    note_launch(weights.device, std::string("APTx layer ") + (forward ? "forward" : "backward") +
                                    " kernels (batch " + std::to_string(s.batch) + ", " +
                                    std::to_string(s.inputs) + " inputs, " +
                                    std::to_string(s.outputs) + " outputs)");
    if (forward)
      check(launch_aptx_layer_forward(s, p[0], dw, p[1], st), "APTx layer forward kernel launch");
    else
      check(launch_aptx_layer_backward(s, p[0], p[1], dw, p[2],
                                       AptxLayerGrads{p[3], p[4], p[5], p[6]}, st),
            "APTx layer backward kernel launch");
    return env.Undefined();
  });
}

}  // namespace gpu
}  // namespace ak
