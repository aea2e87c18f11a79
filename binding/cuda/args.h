// The CUDA exports' own arguments; the rest are binding/args.h's.
#pragma once

#include "../../cuda/kernels.h"
#include "../args.h"

namespace ak {
namespace gpu {

int device_arg(const Napi::CallbackInfo& info, size_t i);
// The Float32Array at argument i (binding/args.h's check), as node-addon-api's wrapper.
Napi::Float32Array host_array(const Napi::CallbackInfo& info, size_t i);
// The program at argument i (a handle or a code, binding/args.h) as the kernels take it.
Steps steps_arg(const Napi::CallbackInfo& info, size_t i, ExactProgram* ref = nullptr);

}  // namespace gpu
}  // namespace ak
