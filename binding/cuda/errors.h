// CUDA errors in the binding: a failed call becomes a CudaFailure (on any thread), and that
// becomes a JS Error naming the call.
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace ak {
namespace gpu {

struct CudaFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A kernel that faults (an illegal address, say) is reported by whatever CUDA call comes next,
// which may be another call's. So the binding notes every kernel it queues, per device, until a
// synchronization shows they ran; an error that a fault causes then names them.
void note_launch(int device, std::string label);
void note_synchronized(int device);
void note_failure(int device, const std::string& message);
// The kernels queued on `device` (-1: the current device) since its last synchronization, most
// recent last. With a device given it makes no CUDA call (stream callbacks use it).
std::vector<std::string> pending_launches(int device = -1);
// Whether e is a fault of a kernel that ran earlier (sticky: the context is unusable after it).
bool is_device_fault(cudaError_t e);
// The message of a failed call: "call failed: error (code)", and for a device fault the kernels
// it may come from.
std::string failure_message(const char* call, cudaError_t e,
                            const std::vector<std::string>& pending);

inline void check(cudaError_t e, const char* call) {
  if (e == cudaSuccess) return;
  cudaGetLastError();  // clears a non-sticky error so that later calls do not report it
  throw CudaFailure(failure_message(
      call, e, is_device_fault(e) ? pending_launches(-1) : std::vector<std::string>{}));
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
