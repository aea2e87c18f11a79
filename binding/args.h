// Unwrapping the addon's arguments, for every export (CPU, layer, CUDA). lib/ validates every
// argument a user passes and owns the messages; these checks only keep a direct caller from
// crashing: what fails them is an "activation-kernels internal call" TypeError.
#pragma once

#include <napi.h>

#include <cstddef>
#include <memory>
#include <string>

#include "../cpp/program.h"

namespace ak {

[[noreturn]] void internal_error(Napi::Env env, const std::string& what);

// An integer in [0, 2^53 - 1]: every length a JS array can have.
size_t size_arg(const Napi::CallbackInfo& info, size_t i);
// a * b, or an internal error where it passes 2^53 - 1 (shapes whose product would wrap).
size_t size_product(Napi::Env env, size_t a, size_t b);

// A Float32Array's data and length in one Node-API call (no wrapper objects: the per-call cost
// matters for small arrays).
struct Floats {
  napi_value value;
  float* data;
  size_t length;
};
Floats float_array(const Napi::CallbackInfo& info, size_t i);
// The same, of exactly `length` elements; a null data pointer for null where `nullable` allows.
Floats float_array(const Napi::CallbackInfo& info, size_t i, size_t length, bool nullable = false);

// The elements of one pass: a Float32Array, or a Uint16Array of half-precision bits where half
// is 0 (bfloat16) or 1 (float16) and not -1.
struct Elements {
  napi_value value;
  void* data;
  size_t length;
};
Elements elements_array(const Napi::CallbackInfo& info, size_t i, int half);
Elements elements_array(const Napi::CallbackInfo& info, size_t i, int half, size_t length);
// The element type at argument i: undefined for float32 (-1), 0 for bfloat16, 1 for float16.
int half_arg(const Napi::CallbackInfo& info, size_t i);

enum class Pass { Forward, Backward, ParamGrad };
Pass pass_arg(const Napi::CallbackInfo& info, size_t i);  // 'forward', 'backward', 'paramGrad'

// program(code): the activation code decoded once (cpp/program.h), as a tagged External that lib/
// keeps with the activation.
Napi::Value program(const Napi::CallbackInfo& info);
// The program at argument i: such a handle, or a code (a Float64Array), decoded for this call.
struct ProgramArg {
  const Program* f = nullptr;
  std::shared_ptr<const Program> decoded;  // only when a code was passed
  napi_value value = nullptr;              // the argument, for an async call to keep
};
ProgramArg program_arg(const Napi::CallbackInfo& info, size_t i);

// paramGrad's sums as a Float64Array.
Napi::Value sums_value(Napi::Env env, const double* sums, int count);

}  // namespace ak
