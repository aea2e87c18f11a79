// The current device and the per-device stream (device.h).
#include "device.h"

#include <cstdlib>
#include <mutex>
#include <vector>

#include "errors.h"

namespace ak {
namespace gpu {

namespace {

// A driver function through the runtime's entry points: the addon links no libcuda, so that it
// loads where no driver is installed. Null where the driver does not give it.
void* driver_function(const char* name) {
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult found{};
  if (cudaGetDriverEntryPointByVersion(name, &fn, 12000, cudaEnableDefault, &found) !=
          cudaSuccess ||
      found != cudaDriverEntryPointSuccess) {
    cudaGetLastError();
    return nullptr;
  }
  return fn;
}

// Leaves this thread with no current context: the runtime then takes device 0 (its default) at
// the next call that needs one, without a context made for it now.
void clear_current_context() {
  using SetCurrent = int (*)(void*);  // cuCtxSetCurrent
  static SetCurrent set_current = reinterpret_cast<SetCurrent>(driver_function("cuCtxSetCurrent"));
  if (set_current) set_current(nullptr);
}

}  // namespace

bool primary_context_active(int device) {
  using GetState = int (*)(int, unsigned*, int*);  // cuDevicePrimaryCtxGetState
  static GetState get_state =
      reinterpret_cast<GetState>(driver_function("cuDevicePrimaryCtxGetState"));
  if (!get_state) return true;  // cannot tell: restore, as before
  unsigned flags = 0;
  int active = 0;
  return get_state(device, &flags, &active) != 0 || active != 0;
}

DeviceScope::DeviceScope(int device) {
  check(cudaGetDevice(&previous_), "cudaGetDevice");
  if (previous_ == device) return;
  restore_ = scope_restores(previous_, device, primary_context_active(previous_));
  clear_ = !restore_;
  check(cudaSetDevice(device), "cudaSetDevice");
}

DeviceScope::DeviceScope(int device, bool) {
  if (cudaGetDevice(&previous_) != cudaSuccess) {
    cudaGetLastError();
    previous_ = device;
  }
  if (previous_ == device) return;
  restore_ = scope_restores(previous_, device, primary_context_active(previous_));
  clear_ = !restore_;
  ignore(cudaSetDevice(device));
}

DeviceScope::~DeviceScope() {
  if (restore_)
    ignore(cudaSetDevice(previous_));
  else if (clear_)
    clear_current_context();  // the caller had no context: leave none current, not ours
}

size_t pool_keep_bytes(size_t total_memory, const char* setting) {
  if (setting && *setting) {
    char* end = nullptr;
    const unsigned long long mib = std::strtoull(setting, &end, 10);
    if (end && *end == '\0' && mib <= (1ull << 30)) return size_t(mib) << 20;
  }
  const size_t cap = size_t(2) << 30;
  const size_t eighth = total_memory / 8;
  return eighth < cap ? eighth : cap;
}

namespace {

// Called once per device with the device current.
void keep_pool_memory(int device) {
  cudaMemPool_t pool = nullptr;
  if (cudaDeviceGetDefaultMemPool(&pool, device) != cudaSuccess) {  // no pools: cudaMalloc
    cudaGetLastError();
    return;
  }
  size_t free_bytes = 0, total = 0;
  ignore(cudaMemGetInfo(&free_bytes, &total));
  unsigned long long keep = pool_keep_bytes(total, std::getenv("ACTIVATION_KERNELS_CUDA_POOL_MB"));
  ignore(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
}

}  // namespace

cudaStream_t stream_of(int device) {
  static std::mutex mutex;
  static std::vector<cudaStream_t> streams;
  std::lock_guard<std::mutex> lock(mutex);
  if (size_t(device) >= streams.size()) streams.resize(size_t(device) + 1, nullptr);
  cudaStream_t& s = streams[size_t(device)];
  if (!s) {
    check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreate");
    keep_pool_memory(device);
  }
  return s;
}

}  // namespace gpu
}  // namespace ak

namespace ak {
namespace gpu {

namespace {

// The kernels queued per device since its last synchronization (the last few).
constexpr size_t kPendingKept = 6;
std::mutex pending_mutex;
std::vector<std::vector<std::string>> pending;

std::vector<std::string>& pending_of(int device) {
  if (size_t(device) >= pending.size()) pending.resize(size_t(device) + 1);
  return pending[size_t(device)];
}

int current_device() {
  int d = 0;
  if (cudaGetDevice(&d) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return d;
}

}  // namespace

void note_launch(int device, std::string label) {
  std::lock_guard<std::mutex> lock(pending_mutex);
  auto& p = pending_of(device);
  if (p.size() == kPendingKept) p.erase(p.begin());
  p.push_back(std::move(label));
}

void note_synchronized(int device) {
  std::lock_guard<std::mutex> lock(pending_mutex);
  pending_of(device).clear();
}

void note_failure(int device, const std::string& message) {
  std::lock_guard<std::mutex> lock(pending_mutex);
  auto& p = pending_of(device);
  p.clear();
  p.push_back("(" + message + ")");
}

std::vector<std::string> pending_launches(int device) {
  if (device < 0) device = current_device();
  std::lock_guard<std::mutex> lock(pending_mutex);
  return pending_of(device);
}

bool is_device_fault(cudaError_t e) {
  switch (e) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorHardwareStackError:
    case cudaErrorAssert:
    case cudaErrorLaunchTimeout: return true;
    default: return false;
  }
}

std::string failure_message(const char* call, cudaError_t e,
                            const std::vector<std::string>& pending) {
  std::string m =
      std::string(call) + " failed: " + cudaGetErrorString(e) + " (" + std::to_string(int(e)) + ")";
  if (!is_device_fault(e)) return m;
  if (pending.empty()) return m + "; a kernel queued earlier faulted";
  m += "; a kernel queued earlier faulted, among (most recent last): ";
  for (size_t i = 0; i < pending.size(); ++i) m += (i ? ", " : "") + pending[i];
  return m;
}

}  // namespace gpu
}  // namespace ak
