// Device memory: the allocation a GpuArray's handle holds, ranges of it as kernel arguments, and
// scratch memory for the duration of one call. Memory comes from the stream-ordered allocator
// (cudaMallocAsync on the device's stream), so freeing never waits for the device and work
// queued before the free still runs on valid memory.
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ak {
namespace gpu {

// Device memory a GpuArray refers to. Owned memory is freed by dispose() or, failing that, by
// the finalizer of the External that holds it; its size is reported to the garbage collector
// (napi_adjust_external_memory) for as long as it is held, so that arrays nobody disposes are
// collected when device memory is what grows.
struct Allocation {
  void* ptr;
  size_t length;        // elements
  size_t elem;          // bytes an element: 4 (float32) or 2 (bfloat16, float16)
  int device;
  bool owned;
  bool pooled;          // from cudaMallocAsync (false: cudaMalloc, where pools are unsupported)
  cudaStream_t stream;  // the stream it was allocated on, and is freed on
  int64_t accounted;    // bytes reported to the garbage collector
};

using Handle = Napi::External<Allocation>;

Handle new_handle(Napi::Env env, Allocation a);
// Frees owned memory (once); the handle stays, with a null pointer.
void release(napi_env env, Allocation* a);
// The allocation behind argument i, which must be a handle that is not freed.
Allocation& allocation(const Napi::CallbackInfo& info, size_t i);

// A range of a device buffer: (handle, offset) with a length checked against the buffer.
struct Range {
  void* ptr;
  int device;
  Napi::Value keep;  // the handle, kept alive while queued work may use it
  size_t elem;       // the buffer's bytes an element
  float* floats() const { return static_cast<float*>(ptr); }
};
Range range_arg(const Napi::CallbackInfo& info, size_t i, size_t length);

// `bytes` of device memory ordered on stream s; *pooled says which allocator gave it.
void* device_alloc(size_t bytes, cudaStream_t s, bool* pooled);
// Frees it after the work queued on s so far; errors are ignored (and cleared).
void device_free(void* p, bool pooled, cudaStream_t s);

// Transfers between pageable host memory (a Float32Array) and the device, staged through a
// pinned buffer of at most kChunkBytes a chunk at a time, with the host copies run by the stream
// (Completion::host_step): queued at once, never waiting, never pinning a larger buffer.
constexpr size_t kChunkBytes = size_t(64) << 20;
struct Chunk {
  size_t offset, bytes;
};
std::vector<Chunk> staging_chunks(size_t bytes);
class Completion;
void upload_staged(Completion& c, void* dst, const void* src, size_t bytes, cudaStream_t s);
void download_staged(Completion& c, void* dst, const void* src, size_t bytes, cudaStream_t s);

// Device memory for the duration of one call (host arrays, scratch), ordered on one stream:
// freed on every path, without waiting for the device.
class Scratch {
 public:
  explicit Scratch(cudaStream_t s) : stream_(s) {}
  template <class T>
  T* get(size_t count) {
    return static_cast<T*>(block(count * sizeof(T)));
  }
  void release();
  ~Scratch() { release(); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

 private:
  void* block(size_t bytes);
  cudaStream_t stream_;
  std::vector<std::pair<void*, bool>> blocks_;
};

}  // namespace gpu
}  // namespace ak
