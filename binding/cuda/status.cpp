// cudaStatus(): whether CUDA can be used, the devices, and why not when it cannot.
#include <string>

#include "errors.h"
#include "exports.h"

namespace ak {
namespace gpu {

Napi::Value status(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto result = Napi::Object::New(env);
  auto devices = Napi::Array::New(env);
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  std::string reason;
  if (e != cudaSuccess) {
    cudaGetLastError();
    std::string detail = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e) + " (" +
                         std::to_string(int(e)) + ")";
    if (e == cudaErrorInsufficientDriver)
      reason = "no NVIDIA driver, or one too old for this CUDA build (" + detail + ")";
    else if (e == cudaErrorNoDevice)
      reason = "no CUDA device was found (" + detail + ")";
    else
      reason = "CUDA could not be initialized (" + detail + ")";
    count = 0;
  } else if (count == 0) {
    reason = "no CUDA device was found";
  }
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp p;
    if (cudaGetDeviceProperties(&p, d) != cudaSuccess) {
      cudaGetLastError();
      continue;
    }
    auto dev = Napi::Object::New(env);
    dev["index"] = d;
    dev["name"] = p.name;
    dev["computeCapability"] = std::to_string(p.major) + "." + std::to_string(p.minor);
    dev["totalMemory"] = double(p.totalGlobalMem);
    dev["l2CacheSize"] = double(p.l2CacheSize);
    devices[devices.Length()] = dev;
  }
  result["compiled"] = true;
  result["available"] = devices.Length() > 0;
  result["devices"] = devices;
  result["reason"] = reason.empty() ? env.Null() : Napi::String::New(env, reason);
  return result;
}

}  // namespace gpu
}  // namespace ak
