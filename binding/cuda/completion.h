// Completions: a promise settled once the work queued on a device's stream so far is done,
// without any thread waiting for it. The stream itself calls back (cudaStreamAddCallback, which
// runs every callback exactly once, with the stream's error if there was one); the last callback
// hands the result to the main thread through a thread-safe function. So an async GPU call holds
// no libuv thread: a fifth call, and every fs, crypto or zlib call, runs while the GPU works.
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ak {
namespace gpu {

// Host work the stream runs in order with its device work, on CUDA's callback thread: plain
// memory copies only (a CUDA call there is not permitted). It may throw a std::exception.
using HostStep = std::function<void()>;
// Makes the promise's value on the main thread.
using Result = std::function<Napi::Value(Napi::Env)>;
// Runs on the main thread once the work is done (or failed): gives back what the call held.
using Cleanup = std::function<void()>;

class Completion {
 public:
  // `keep` stays referenced until the promise settles; `label` names the call in errors.
  Completion(Napi::Env env, int device, cudaStream_t stream, std::vector<Napi::Value> keep,
             std::string label);
  ~Completion();
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;

  // Queues `step` on the stream after the work queued so far; skipped once anything failed.
  void host_step(HostStep step);
  void cleanup(Cleanup c) { cleanups_.push_back(std::move(c)); }
  // Queues the last callback and returns the promise, resolved with result(env) (undefined when
  // null) or rejected with the stream's error naming the call. The Completion owns itself from
  // here: call finish once, through a pointer made by new, and do not touch it after.
  Napi::Value finish(Result result);
  // For a call that failed while queueing (and throws): the steps already queued still run, and
  // the completion then settles its promise, which nobody holds, quietly.
  void abandon() {
    quiet_ = true;
    finish(nullptr);
  }

 private:
  struct Step {
    Completion* owner;
    HostStep fn;
  };
  static void CUDART_CB on_step(cudaStream_t, cudaError_t status, void* data);
  static void CUDART_CB on_done(cudaStream_t, cudaError_t status, void* data);
  static void on_main(napi_env env, napi_value, void* context, void*);
  void fail(cudaError_t status);
  void settle(Napi::Env env);

  napi_env env_;
  int device_;
  cudaStream_t stream_;
  std::string label_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
  std::vector<Cleanup> cleanups_;
  Result result_;
  napi_threadsafe_function tsfn_ = nullptr;
  bool quiet_ = false;
  // written by the callback thread, read on the main thread after the last callback
  std::string error_;
};

// The old form: a promise settled after the work queued so far on the device's stream.
Napi::Value settle(Napi::Env env, int device, std::vector<Napi::Value> keep, Result result,
                   const char* label);

}  // namespace gpu
}  // namespace ak
