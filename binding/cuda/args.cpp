#include "args.h"

namespace ak {
namespace gpu {

int device_arg(const Napi::CallbackInfo& info, size_t i) {
  size_t d = size_arg(info, i);
  if (d > 1024) internal_error(info.Env(), "expected a device index");
  return int(d);
}

Napi::Float32Array host_array(const Napi::CallbackInfo& info, size_t i) {
  return Napi::Float32Array(info.Env(), float_array(info, i).value);
}

Steps steps_arg(const Napi::CallbackInfo& info, size_t i, ExactProgram* ref) {
  return steps_of(*program_arg(info, i).f, ref);
}

}  // namespace gpu
}  // namespace ak
