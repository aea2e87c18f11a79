// The addon's exports, by part (binding/addon.cpp calls each).
#pragma once

#include <napi.h>

namespace ak {

void export_cpu(Napi::Env env, Napi::Object exports);    // binding/cpu.cpp
void export_layer(Napi::Env env, Napi::Object exports);  // binding/layer.cpp
#ifdef AK_WITH_CUDA
namespace gpu {
void export_cuda(Napi::Env env, Napi::Object exports);  // binding/cuda/register.cpp
}
#endif

}  // namespace ak
