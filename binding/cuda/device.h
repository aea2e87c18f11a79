// The current device and the per-device stream.
#pragma once

#include <cuda_runtime.h>

namespace ak {
namespace gpu {

// Makes `device` current on this thread for a scope, restoring the caller's device after
// (other CUDA libraries in the process may rely on it).
class DeviceScope {
 public:
  explicit DeviceScope(int device);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = 0;
};

// One non-blocking stream per device, created on first use and kept for the process (every JS
// context shares it: work on one device is queued in call order).
cudaStream_t stream_of(int device);

}  // namespace gpu
}  // namespace ak
