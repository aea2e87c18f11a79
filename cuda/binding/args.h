// Unwrapping the binding's arguments. lib/ validates every argument and owns the messages; these
// checks only keep a direct caller from crashing (an "activation-kernels internal call" error).
#pragma once

#include <napi.h>

#include <cstddef>

#include "../kernels.h"

namespace ak {
namespace gpu {

enum class Pass { Forward, Backward, ParamGrad };

size_t size_arg(const Napi::CallbackInfo& info, size_t i);
int device_arg(const Napi::CallbackInfo& info, size_t i);
Napi::Float32Array float_array(const Napi::CallbackInfo& info, size_t i);
Pass pass_arg(const Napi::CallbackInfo& info, size_t i);
// An activation code (a Float64Array, cpp/cpu/compute.h), compiled for the device.
Program program_arg(const Napi::CallbackInfo& info, size_t i, RefProgram* ref = nullptr);

}  // namespace gpu
}  // namespace ak
