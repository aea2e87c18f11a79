// The APTx Neuron layer's CPU exports. lib/aptx-layer.ts validates and owns every message.
#include "../cpp/layer/aptx_layer.h"
#include "args.h"
#include "exports.h"

namespace ak {
namespace {

int threads_arg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) internal_error(info.Env(), "expected a thread count");
  int n = info[i].As<Napi::Number>().Int32Value();
  return n < 1 ? 1 : n;
}

// (batch, inputs, outputs) at info[0..2], whose products the arrays' lengths are checked against.
AptxLayerShape shape_arg(const Napi::CallbackInfo& info) {
  AptxLayerShape s{size_arg(info, 0), size_arg(info, 1), size_arg(info, 2)};
  size_product(info.Env(), s.batch, s.inputs);
  size_product(info.Env(), s.batch, s.outputs);
  size_product(info.Env(), s.outputs, s.inputs);
  return s;
}

// forward(batch, inputs, outputs, x, alpha, beta, gamma, delta, y, threads)
Napi::Value forward(const Napi::CallbackInfo& info) {
  AptxLayerShape s = shape_arg(info);
  const size_t md = s.outputs * s.inputs;
  const float* x = float_array(info, 3, s.batch * s.inputs).data;
  AptxLayerWeights w{float_array(info, 4, md).data, float_array(info, 5, md).data,
                     float_array(info, 6, md).data, float_array(info, 7, s.outputs).data};
  float* y = float_array(info, 8, s.batch * s.outputs).data;
  aptx_layer_forward(s, x, w, y, threads_arg(info, 9));
  return info.Env().Undefined();
}

// backward(batch, inputs, outputs, x, dy, alpha, beta, gamma, dx, dalpha | null, dbeta, dgamma,
//          ddelta, threads)
Napi::Value backward(const Napi::CallbackInfo& info) {
  AptxLayerShape s = shape_arg(info);
  const size_t md = s.outputs * s.inputs;
  const float* x = float_array(info, 3, s.batch * s.inputs).data;
  const float* dy = float_array(info, 4, s.batch * s.outputs).data;
  AptxLayerWeights w{float_array(info, 5, md).data, float_array(info, 6, md).data,
                     float_array(info, 7, md).data, nullptr};
  float* dx = float_array(info, 8, s.batch * s.inputs).data;
  AptxLayerGrads g{float_array(info, 9, md, true).data, float_array(info, 10, md).data,
                   float_array(info, 11, md).data, float_array(info, 12, s.outputs).data};
  aptx_layer_backward(s, x, dy, w, dx, g, threads_arg(info, 13));
  return info.Env().Undefined();
}

}  // namespace

void export_layer(Napi::Env env, Napi::Object exports) {
  exports["aptxLayerForward"] = Napi::Function::New(env, forward);
  exports["aptxLayerBackward"] = Napi::Function::New(env, backward);
}

}  // namespace ak
