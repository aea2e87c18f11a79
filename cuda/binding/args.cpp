// Unwrapping the binding's arguments (args.h).
#include "args.h"

#include <string>

#include "errors.h"

namespace ak {
namespace gpu {

size_t size_arg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) internal_error(info.Env(), "expected a size");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= 9007199254740991.0) || v != double(size_t(v)))
    internal_error(info.Env(), "expected a size");
  return size_t(v);
}

int device_arg(const Napi::CallbackInfo& info, size_t i) {
  size_t d = size_arg(info, i);
  if (d > 1024) internal_error(info.Env(), "expected a device index");
  return int(d);
}

Napi::Float32Array float_array(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    internal_error(info.Env(), "expected a Float32Array");
  return v.As<Napi::Float32Array>();
}

Pass pass_arg(const Napi::CallbackInfo& info, size_t i) {
  std::string name = info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : "";
  if (name == "forward") return Pass::Forward;
  if (name == "backward") return Pass::Backward;
  if (name == "paramGrad") return Pass::ParamGrad;
  internal_error(info.Env(), "expected a pass");
}

Program program_arg(const Napi::CallbackInfo& info, size_t i, RefProgram* ref) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    internal_error(info.Env(), "expected an activation code");
  auto code = v.As<Napi::Float64Array>();
  Program f;
  if (!compile_program(code.Data(), code.ElementLength(), f, ref))
    internal_error(info.Env(), "malformed activation code");
  return f;
}

}  // namespace gpu
}  // namespace ak
