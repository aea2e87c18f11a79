// CUDA errors in the binding: a failed call becomes a CudaFailure (on any thread), and that
// becomes a JS Error naming the call.
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

#include <stdexcept>
#include <string>

namespace ak {
namespace gpu {

struct CudaFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(cudaError_t e, const char* call) {
  if (e == cudaSuccess) return;
  cudaGetLastError();  // clears a non-sticky error so that later calls do not report it
  throw CudaFailure(std::string(call) + " failed: " + cudaGetErrorString(e) + " (" +
                    std::to_string(int(e)) + ")");
}

// For a call whose error nobody can act on (destructors, frees): the error is cleared here, so
// that it is not reported by, and blamed on, the next call.
inline void ignore(cudaError_t e) {
  if (e != cudaSuccess) cudaGetLastError();
}

// Runs body, turning a CudaFailure (or std::bad_alloc) into a JS Error.
template <class Body>
Napi::Value guarded(Napi::Env env, const Body& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

}  // namespace gpu
}  // namespace ak
