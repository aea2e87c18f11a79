// Node-API glue of the APTx Neuron layer. lib/aptx-layer.ts validates and owns every message;
// the checks here only keep a direct caller from crashing.
#include <napi.h>

#include <string>

#include "aptx_layer.h"

namespace ak {
namespace {

[[noreturn]] void internal_error(Napi::Env env, const std::string& what) {
  throw Napi::TypeError::New(env, "activation-kernels internal call: " + what);
}

// The Float32Array at info[i], of exactly `length` elements; null where `nullable` allows.
float* array_arg(const Napi::CallbackInfo& info, size_t i, size_t length, bool nullable = false) {
  Napi::Value v = info[i];
  if (nullable && v.IsNull()) return nullptr;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    internal_error(info.Env(), "argument " + std::to_string(i) + ": expected a Float32Array");
  auto a = v.As<Napi::Float32Array>();
  if (a.ElementLength() != length)
    internal_error(info.Env(), "argument " + std::to_string(i) + ": wrong length");
  return a.Data();
}

size_t size_arg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) internal_error(info.Env(), "expected a size");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= 1e12) || v != double(size_t(v))) internal_error(info.Env(), "bad size");
  return size_t(v);
}

int threads_arg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) internal_error(info.Env(), "expected a thread count");
  int n = info[i].As<Napi::Number>().Int32Value();
  return n < 1 ? 1 : n;
}

// (batch, inputs, outputs) at info[0..2], with the weights' lengths m d and m.
AptxLayerShape shape_arg(const Napi::CallbackInfo& info) {
  return {size_arg(info, 0), size_arg(info, 1), size_arg(info, 2)};
}

// forward(batch, inputs, outputs, x, alpha, beta, gamma, delta, y, threads)
Napi::Value forward(const Napi::CallbackInfo& info) {
  AptxLayerShape s = shape_arg(info);
  const size_t md = s.outputs * s.inputs;
  const float* x = array_arg(info, 3, s.batch * s.inputs);
  AptxLayerWeights w{array_arg(info, 4, md), array_arg(info, 5, md), array_arg(info, 6, md),
                     array_arg(info, 7, s.outputs)};
  float* y = array_arg(info, 8, s.batch * s.outputs);
  aptx_layer_forward(s, x, w, y, threads_arg(info, 9));
  return info.Env().Undefined();
}

// backward(batch, inputs, outputs, x, dy, alpha, beta, gamma, dx, dalpha | null, dbeta, dgamma,
//          ddelta, threads)
Napi::Value backward(const Napi::CallbackInfo& info) {
  AptxLayerShape s = shape_arg(info);
  const size_t md = s.outputs * s.inputs;
  const float* x = array_arg(info, 3, s.batch * s.inputs);
  const float* dy = array_arg(info, 4, s.batch * s.outputs);
  AptxLayerWeights w{array_arg(info, 5, md), array_arg(info, 6, md), array_arg(info, 7, md),
                     nullptr};
  float* dx = array_arg(info, 8, s.batch * s.inputs);
  AptxLayerGrads g{array_arg(info, 9, md, true), array_arg(info, 10, md), array_arg(info, 11, md),
                   array_arg(info, 12, s.outputs)};
  aptx_layer_backward(s, x, dy, w, dx, g, threads_arg(info, 13));
  return info.Env().Undefined();
}

}  // namespace

void export_aptx_layer(Napi::Env env, Napi::Object exports) {
  exports["aptxLayerForward"] = Napi::Function::New(env, forward);
  exports["aptxLayerBackward"] = Napi::Function::New(env, backward);
}

}  // namespace ak
