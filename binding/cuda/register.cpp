// The CUDA exports of the addon, by name (binding/addon.cpp calls export_cuda). The diagnostics
// (kernel timer, device and host accuracy checks, the kernels' loop on the host, memory info)
// serve the benchmark, the GPU check and the tests: built with AK_DIAGNOSTICS (on by default,
// off in the prebuilds that users install).
#include "../exports.h"
#include "exports.h"

namespace ak {
namespace gpu {

void export_cuda(Napi::Env env, Napi::Object exports) {
  exports["cudaStatus"] = Napi::Function::New(env, status);
  exports["cudaAlloc"] = Napi::Function::New(env, alloc);
  exports["cudaWrap"] = Napi::Function::New(env, wrap);
  exports["cudaPointerInfo"] = Napi::Function::New(env, pointer_info);
  exports["cudaFree"] = Napi::Function::New(env, free_now);
  exports["cudaAddress"] = Napi::Function::New(env, address);
  exports["cudaUpload"] = Napi::Function::New(env, upload);
  exports["cudaDownload"] = Napi::Function::New(env, download);
  exports["cudaSynchronize"] = Napi::Function::New(env, synchronize);
  exports["cudaRun"] = Napi::Function::New(env, run);
  exports["cudaRunHost"] = Napi::Function::New(env, run_host);
  exports["cudaAptxLayer"] = Napi::Function::New(env, aptx_layer);
#ifdef AK_DIAGNOSTICS
  exports["cudaMemInfo"] = Napi::Function::New(env, mem_info);
  exports["cudaTimeKernel"] = Napi::Function::New(env, time_kernel);
  exports["cudaCheckEveryInput"] = Napi::Function::New(env, check_every);
  exports["cudaCheckInputsOnHost"] = Napi::Function::New(env, check_on_host);
  exports["cudaElementwiseOnHost"] = Napi::Function::New(env, elementwise_on_host_call);
  exports["cudaHalfOnHost"] = Napi::Function::New(env, half_on_host_call);
  exports["cudaLayerPlan"] = Napi::Function::New(env, layer_plan);
  exports["cudaStagingChunks"] = Napi::Function::New(env, staging_chunks_call);
  exports["cudaPoolKeepBytes"] = Napi::Function::New(env, pool_keep_call);
  exports["cudaScopeRestores"] = Napi::Function::New(env, scope_restores_call);
  exports["cudaFailureMessage"] = Napi::Function::New(env, failure_message_call);
#endif
}

}  // namespace gpu
}  // namespace ak
