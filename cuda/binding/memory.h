// Device memory: the allocation a GpuArray's handle holds, ranges of it as kernel arguments, and
// scratch memory for the duration of one call.
#pragma once

#include <napi.h>

#include <cstddef>
#include <vector>

namespace ak {
namespace gpu {

// Device memory a GpuArray refers to. Owned memory is freed by dispose() or, failing that, by
// the finalizer of the External that holds it.
struct Allocation {
  float* ptr;
  size_t length;
  int device;
  bool owned;
};

using Handle = Napi::External<Allocation>;

Handle new_handle(Napi::Env env, Allocation a);
// Frees owned memory (once); the handle stays, with a null pointer.
void release(Allocation* a);
// The allocation behind argument i, which must be a handle that is not freed.
Allocation& allocation(const Napi::CallbackInfo& info, size_t i);

// A range of a device buffer: (handle, offset) with a length checked against the buffer.
struct Range {
  float* ptr;
  int device;
  Napi::Value keep;  // the handle, kept alive while queued work may use it
};
Range range_arg(const Napi::CallbackInfo& info, size_t i, size_t length);

// Device memory for the duration of one call (host arrays, scratch): freed on every path.
class Scratch {
 public:
  template <class T>
  T* get(size_t count) {
    return static_cast<T*>(block(count * sizeof(T)));
  }
  void release();
  ~Scratch() { release(); }

 private:
  void* block(size_t bytes);
  std::vector<void*> blocks_;
};

}  // namespace gpu
}  // namespace ak
