#include "args.h"

namespace ak {

void internal_error(Napi::Env env, const std::string& what) {
  throw Napi::TypeError::New(env, "activation-kernels internal call: " + what);
}

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1

size_t size_arg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) internal_error(info.Env(), "expected a size");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= kMaxSafeInteger) || v != double(size_t(v)))
    internal_error(info.Env(), "expected a size");
  return size_t(v);
}

size_t size_product(Napi::Env env, size_t a, size_t b) {
  if (a && b > size_t(kMaxSafeInteger) / a) internal_error(env, "shape too large");
  return a * b;
}

namespace {
struct Typed {
  napi_value value;
  void* data;
  size_t length;
};

// info[i] as a typed array of type `want` (`name` for the message)
Typed typed_array(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type want,
                  const char* name) {
  napi_value v = info[i];
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  // napi_invalid_arg for anything but a typed array
  if (napi_get_typedarray_info(info.Env(), v, &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != want)
    internal_error(info.Env(), "argument " + std::to_string(i) + ": expected a " + name);
  return {v, data, length};
}
}  // namespace

Floats float_array(const Napi::CallbackInfo& info, size_t i) {
  Typed t = typed_array(info, i, napi_float32_array, "Float32Array");
  return {t.value, static_cast<float*>(t.data), t.length};
}

Floats float_array(const Napi::CallbackInfo& info, size_t i, size_t length, bool nullable) {
  if (nullable && info[i].IsNull()) return {info[i], nullptr, length};
  Floats a = float_array(info, i);
  if (a.length != length)
    internal_error(info.Env(), "argument " + std::to_string(i) + ": wrong length");
  return a;
}

Elements elements_array(const Napi::CallbackInfo& info, size_t i, int half) {
  if (half < 0) {
    Floats f = float_array(info, i);
    return {f.value, f.data, f.length};
  }
  Typed t = typed_array(info, i, napi_uint16_array, "Uint16Array");
  return {t.value, t.data, t.length};
}

Elements elements_array(const Napi::CallbackInfo& info, size_t i, int half, size_t length) {
  Elements a = elements_array(info, i, half);
  if (a.length != length)
    internal_error(info.Env(), "argument " + std::to_string(i) + ": wrong length");
  return a;
}

int half_arg(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsUndefined()) return -1;
  double v = info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : -1;
  if (v != 0 && v != 1) internal_error(info.Env(), "expected a half-precision format");
  return int(v);
}

Pass pass_arg(const Napi::CallbackInfo& info, size_t i) {
  std::string name = info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : "";
  if (name == "forward") return Pass::Forward;
  if (name == "backward") return Pass::Backward;
  if (name == "paramGrad") return Pass::ParamGrad;
  internal_error(info.Env(), "expected a pass");
}

namespace {

// Only program()'s externals carry it.
constexpr napi_type_tag kProgramTag = {0x6b1c0d5e2a9f4b37ull, 0x94e2a1c07d3f5b68ull};

std::unique_ptr<Program> decode(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    internal_error(info.Env(), "expected an activation program or code");
  auto code = v.As<Napi::Float64Array>();
  auto f = std::make_unique<Program>();
  if (!decode_program(code.Data(), code.ElementLength(), *f))
    internal_error(info.Env(), "malformed activation code");
  return f;
}

}  // namespace

Napi::Value program(const Napi::CallbackInfo& info) {
  auto handle = Napi::External<Program>::New(info.Env(), decode(info, 0).release(),
                                             [](Napi::Env, Program* f) { delete f; });
  handle.TypeTag(&kProgramTag);
  return handle;
}

ProgramArg program_arg(const Napi::CallbackInfo& info, size_t i) {
  ProgramArg a;
  a.value = info[i];
  void* data = nullptr;  // napi_invalid_arg, no exception, for anything but an external
  bool tagged = false;
  if (napi_get_value_external(info.Env(), a.value, &data) == napi_ok &&
      napi_check_object_type_tag(info.Env(), a.value, &kProgramTag, &tagged) == napi_ok && tagged) {
    a.f = static_cast<const Program*>(data);
  } else {
    a.decoded = decode(info, i);
    a.f = a.decoded.get();
  }
  return a;
}

Napi::Value sums_value(Napi::Env env, const double* sums, int count) {
  auto result = Napi::Float64Array::New(env, size_t(count));
  for (int i = 0; i < count; ++i) result[size_t(i)] = sums[i];
  return result;
}

}  // namespace ak
