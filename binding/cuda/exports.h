// The CUDA half of the Node-API binding: every function the addon exports (register.cpp names
// them). lib/cuda.ts validates every argument and owns the user-facing messages.
#pragma once

#include <napi.h>

namespace ak {
namespace gpu {

// status.cpp
Napi::Value status(const Napi::CallbackInfo& info);
// memory.cpp
Napi::Value alloc(const Napi::CallbackInfo& info);
Napi::Value wrap(const Napi::CallbackInfo& info);
Napi::Value pointer_info(const Napi::CallbackInfo& info);
Napi::Value free_now(const Napi::CallbackInfo& info);
Napi::Value address(const Napi::CallbackInfo& info);
Napi::Value upload(const Napi::CallbackInfo& info);
Napi::Value download(const Napi::CallbackInfo& info);
Napi::Value synchronize(const Napi::CallbackInfo& info);
Napi::Value mem_info(const Napi::CallbackInfo& info);
// launch.cpp
Napi::Value run(const Napi::CallbackInfo& info);
Napi::Value run_host(const Napi::CallbackInfo& info);
// layer.cpp
Napi::Value aptx_layer(const Napi::CallbackInfo& info);
// checks.cpp
Napi::Value time_kernel(const Napi::CallbackInfo& info);
Napi::Value check_every(const Napi::CallbackInfo& info);
Napi::Value check_on_host(const Napi::CallbackInfo& info);
Napi::Value elementwise_on_host_call(const Napi::CallbackInfo& info);
Napi::Value half_on_host_call(const Napi::CallbackInfo& info);
Napi::Value layer_plan(const Napi::CallbackInfo& info);
Napi::Value staging_chunks_call(const Napi::CallbackInfo& info);
Napi::Value pool_keep_call(const Napi::CallbackInfo& info);
Napi::Value scope_restores_call(const Napi::CallbackInfo& info);
Napi::Value failure_message_call(const Napi::CallbackInfo& info);

}  // namespace gpu
}  // namespace ak
