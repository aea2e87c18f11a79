// Completions: a promise settled once the work queued on a device's stream so far is done,
// waited for on a libuv thread so that the event loop never blocks on the GPU.
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

#include <functional>
#include <vector>

namespace ak {
namespace gpu {

// Runs on the libuv thread after the work (may throw a CudaFailure).
using Then = std::function<void()>;
// Makes the promise's value on the main thread.
using Result = std::function<Napi::Value(Napi::Env)>;

// An event recorded on the device's stream now, then a promise settled after it: `then` runs on
// the libuv thread, `result` (or undefined) resolves the promise. `keep` stays alive until then.
Napi::Value settle(Napi::Env env, int device, std::vector<Napi::Value> keep, Then then,
                   Result result);

// Waits, sleeping rather than spinning, for the work queued on stream s so far (for libuv
// threads: a blocking-sync event).
void wait_blocking(cudaStream_t s);

}  // namespace gpu
}  // namespace ak
