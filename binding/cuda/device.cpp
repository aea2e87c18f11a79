// The current device and the per-device stream (device.h).
#include "device.h"

#include <mutex>
#include <vector>

#include "errors.h"

namespace ak {
namespace gpu {

DeviceScope::DeviceScope(int device) {
  check(cudaGetDevice(&previous_), "cudaGetDevice");
  if (previous_ != device) check(cudaSetDevice(device), "cudaSetDevice");
}

DeviceScope::~DeviceScope() { ignore(cudaSetDevice(previous_)); }

cudaStream_t stream_of(int device) {
  static std::mutex mutex;
  static std::vector<cudaStream_t> streams;
  std::lock_guard<std::mutex> lock(mutex);
  if (size_t(device) >= streams.size()) streams.resize(size_t(device) + 1, nullptr);
  cudaStream_t& s = streams[size_t(device)];
  if (!s) check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreate");
  return s;
}

}  // namespace gpu
}  // namespace ak
