// The current device and the per-device stream.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

namespace ak {
namespace gpu {

// Makes `device` current on this thread for a scope, then gives the caller's device back, but
// only where the caller's device has a live context: since CUDA 12, cudaSetDevice creates the
// device's context, so restoring an unused device 0 after work on device 1 would create a
// context there (and take its memory) for a device nobody used. Where the caller's device has no
// context the scope leaves none current, so that the caller's next CUDA call still finds device
// 0 (the runtime's default) as before. The non-throwing form (for finalizers and frees) ignores
// errors.
class DeviceScope {
 public:
  explicit DeviceScope(int device);
  DeviceScope(int device, bool nothrow);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = 0;
  bool restore_ = false;
  bool clear_ = false;
};

// Whether a scope on `device` entered from `previous` gives `previous` back after: only when it
// is another device whose context is live (previous_active).
constexpr bool scope_restores(int previous, int device, bool previous_active) {
  return previous != device && previous_active;
}

// Whether device's primary context is live (asked of the driver; false when it cannot say).
bool primary_context_active(int device);

// One non-blocking stream per device, created on first use and kept for the process (every JS
// context shares it: work on one device is queued in call order). On first use of a device its
// memory pool is also told to keep freed memory up to pool_keep_bytes (below).
cudaStream_t stream_of(int device);

// How much freed memory the device's stream-ordered pool keeps for reuse instead of giving it back
// to the driver at every synchronization (cudaMemPoolAttrReleaseThreshold; the driver's default
// is 0, which makes the next allocation map memory again). ACTIVATION_KERNELS_CUDA_POOL_MB sets it
// in MiB (0: give memory back at once, as the driver does by default); otherwise an eighth of the
// device's memory, at most 2 GiB. `setting` is the variable's value, or null when unset.
size_t pool_keep_bytes(size_t total_memory, const char* setting);

}  // namespace gpu
}  // namespace ak
