// Device memory (memory.h) and the GpuArray's memory calls: cudaAlloc, cudaWrap, cudaFree,
// cudaPointerInfo, cudaAddress, cudaUpload, cudaDownload, cudaSynchronize, cudaMemInfo.
#include "memory.h"

#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "args.h"
#include "completion.h"
#include "device.h"
#include "errors.h"
#include "exports.h"

namespace ak {
namespace gpu {

void* device_alloc(size_t bytes, cudaStream_t s, bool* pooled) {
  void* p = nullptr;
  *pooled = true;
  if (bytes == 0) return nullptr;
  cudaError_t e = cudaMallocAsync(&p, bytes, s);
  if (e == cudaErrorNotSupported) {  // a device or driver without memory pools
    cudaGetLastError();
    *pooled = false;
    check(cudaMalloc(&p, bytes), "cudaMalloc");
    return p;
  }
  check(e, "cudaMallocAsync");
  return p;
}

void device_free(void* p, bool pooled, cudaStream_t s) {
  if (p) ignore(pooled ? cudaFreeAsync(p, s) : cudaFree(p));
}

void release(napi_env env, Allocation* a) {
  if (a->owned && a->ptr) {
    DeviceScope scope(a->device, true);
    device_free(a->ptr, a->pooled, a->stream);
  }
  a->ptr = nullptr;
  if (a->accounted) {
    int64_t total = 0;
    napi_adjust_external_memory(env, -a->accounted, &total);  // fails only at teardown
    a->accounted = 0;
  }
}

Handle new_handle(Napi::Env env, Allocation a) {
  if (a.owned && a.length) {
    a.accounted = int64_t(a.length * a.elem);
    int64_t total = 0;
    napi_adjust_external_memory(env, a.accounted, &total);
  }
  return Handle::New(env, new Allocation(a), [](Napi::Env e, Allocation* p) {
    release(e, p);
    delete p;
  });
}

Allocation& allocation(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsExternal()) internal_error(info.Env(), "expected a device buffer");
  Allocation* a = info[i].As<Handle>().Data();
  if (!a->ptr && a->length) internal_error(info.Env(), "device buffer already freed");
  return *a;
}

Range range_arg(const Napi::CallbackInfo& info, size_t i, size_t length) {
  Allocation& a = allocation(info, i);
  size_t offset = size_arg(info, i + 1);
  if (offset > a.length || length > a.length - offset)
    internal_error(info.Env(), "range outside the device buffer");
  return {a.ptr ? static_cast<char*>(a.ptr) + offset * a.elem : nullptr, a.device, info[i], a.elem};
}

void* Scratch::block(size_t bytes) {
  bool pooled = true;
  void* p = device_alloc(bytes, stream_, &pooled);
  blocks_.emplace_back(p, pooled);
  return p;
}

void Scratch::release() {
  for (auto& [p, pooled] : blocks_) device_free(p, pooled, stream_);
  blocks_.clear();
}

// The bytes of one element at argument i: 4 (float32) or 2 (bfloat16, float16).
static size_t elem_arg(const Napi::CallbackInfo& info, size_t i) {
  size_t e = size_arg(info, i);
  if (e != 4 && e != 2) internal_error(info.Env(), "expected 4 or 2 bytes an element");
  return e;
}

// cudaAlloc(device, length, elementBytes) -> handle
Napi::Value alloc(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  size_t length = size_arg(info, 1);
  size_t elem = elem_arg(info, 2);
  size_t bytes = size_product(info.Env(), length, elem);
  return guarded(info.Env(), [&]() -> Napi::Value {
    DeviceScope scope(device);
    cudaStream_t s = stream_of(device);
    bool pooled = true;
    void* p = device_alloc(bytes, s, &pooled);
    return new_handle(info.Env(), Allocation{p, length, elem, device, true, pooled, s, 0});
  });
}

// cudaWrap(device, address: bigint, length, elementBytes) -> non-owning handle
Napi::Value wrap(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  if (!info[1].IsBigInt()) internal_error(info.Env(), "expected a bigint address");
  bool lossless = false;
  uint64_t address = info[1].As<Napi::BigInt>().Uint64Value(&lossless);
  size_t length = size_arg(info, 2);
  size_t elem = elem_arg(info, 3);
  if (!lossless || address % elem) internal_error(info.Env(), "expected an aligned address");
  return new_handle(info.Env(), Allocation{reinterpret_cast<void*>(uintptr_t(address)), length,
                                           elem, device, false, false, nullptr, 0});
}

// cudaPointerInfo(address: bigint) -> { type: 'device' | 'managed' | 'host' | 'unregistered',
// device }: what CUDA knows of an address (GpuArray.fromPointer checks its device with it).
Napi::Value pointer_info(const Napi::CallbackInfo& info) {
  if (!info[0].IsBigInt()) internal_error(info.Env(), "expected a bigint address");
  bool lossless = false;
  uint64_t address = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) internal_error(info.Env(), "expected a 64-bit address");
  return guarded(info.Env(), [&]() -> Napi::Value {
    cudaPointerAttributes a{};
    check(cudaPointerGetAttributes(&a, reinterpret_cast<const void*>(uintptr_t(address))),
          "cudaPointerGetAttributes");
    const char* type = a.type == cudaMemoryTypeDevice    ? "device"
                       : a.type == cudaMemoryTypeManaged ? "managed"
                       : a.type == cudaMemoryTypeHost    ? "host"
                                                         : "unregistered";
    auto o = Napi::Object::New(info.Env());
    o["type"] = type;
    o["device"] = a.device;
    return o;
  });
}

// cudaFree(handle): frees owned memory now, ordered after the work queued on it (never waits).
Napi::Value free_now(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) internal_error(info.Env(), "expected a device buffer");
  release(info.Env(), info[0].As<Handle>().Data());
  return info.Env().Undefined();
}

// cudaAddress(handle, offset) -> bigint
Napi::Value address(const Napi::CallbackInfo& info) {
  Range r = range_arg(info, 0, 0);
  return Napi::BigInt::New(info.Env(), uint64_t(uintptr_t(r.ptr)));
}

// cudaUpload(handle, offset, Float32Array | Uint16Array of the buffer's element size): queued;
// the host data is copied before it returns.
Napi::Value upload(const Napi::CallbackInfo& info) {
  Elements x = elements_array(info, 2, allocation(info, 0).elem == 2 ? 0 : -1);
  Range r = range_arg(info, 0, x.length);
  return guarded(info.Env(), [&]() -> Napi::Value {
    if (x.length == 0) return info.Env().Undefined();
    DeviceScope scope(r.device);
    check(cudaMemcpyAsync(r.ptr, x.data, x.length * r.elem, cudaMemcpyHostToDevice,
                          stream_of(r.device)),
          "cudaMemcpyAsync (upload)");
    return info.Env().Undefined();
  });
}

// Pinned host buffers that transfers are staged through, kept for reuse: cudaHostAlloc costs
// more than the copy of a small array, and cudaFreeHost waits for the whole device. No buffer is
// larger than kChunkBytes: a larger transfer goes through one buffer a chunk at a time (the
// stream runs the host copies in order with its own, so the chunks take turns). The pool keeps
// kKeepCount buffers (never freed: a static destructor would run after the CUDA runtime is gone);
// a buffer beyond them is freed on a thread of its own, so that nobody waits for the device.
class StagingPool {
 public:
  static constexpr size_t kKeepCount = 4;
  static constexpr size_t kGranule = size_t(64) << 10;

  struct Buffer {
    void* ptr = nullptr;
    size_t capacity = 0;
  };

  Buffer acquire(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      size_t best = free_.size();
      for (size_t i = 0; i < free_.size(); ++i)
        if (free_[i].capacity >= bytes &&
            (best == free_.size() || free_[i].capacity < free_[best].capacity))
          best = i;
      if (best < free_.size()) {
        Buffer b = free_[best];
        free_.erase(free_.begin() + std::ptrdiff_t(best));
        return b;
      }
    }
    Buffer b;
    b.capacity = (bytes + kGranule - 1) / kGranule * kGranule;
    check(cudaHostAlloc(&b.ptr, b.capacity, cudaHostAllocPortable), "cudaHostAlloc");
    return b;
  }

  void put_back(Buffer b) {
    if (!b.ptr) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (free_.size() < kKeepCount) {
        free_.push_back(b);
        return;
      }
      // keep the larger ones: the smallest goes
      size_t smallest = 0;
      for (size_t i = 1; i < free_.size(); ++i)
        if (free_[i].capacity < free_[smallest].capacity) smallest = i;
      if (free_[smallest].capacity < b.capacity) std::swap(free_[smallest], b);
    }
    void* p = b.ptr;
    std::thread([p] { ignore(cudaFreeHost(p)); }).detach();
  }

 private:
  std::mutex mutex_;
  std::vector<Buffer> free_;
};

StagingPool& staging_pool() {
  static StagingPool* pool = new StagingPool();
  return *pool;
}

std::vector<Chunk> staging_chunks(size_t bytes) {
  std::vector<Chunk> chunks;
  for (size_t at = 0; at < bytes; at += kChunkBytes)
    chunks.push_back({at, bytes - at < kChunkBytes ? bytes - at : kChunkBytes});
  return chunks;
}

// One staging buffer for a transfer of `bytes`, given back when the completion is done.
static void* staging_for(Completion& c, size_t bytes) {
  auto buffer = staging_pool().acquire(bytes < kChunkBytes ? bytes : kChunkBytes);
  c.cleanup([buffer] { staging_pool().put_back(buffer); });
  return buffer.ptr;
}

void upload_staged(Completion& c, void* dst, const void* src, size_t bytes, cudaStream_t s) {
  if (bytes == 0) return;
  char* staging = static_cast<char*>(staging_for(c, bytes));
  for (const Chunk& k : staging_chunks(bytes)) {
    const char* from = static_cast<const char*>(src) + k.offset;
    c.host_step([staging, from, k] { std::memcpy(staging, from, k.bytes); });
    check(cudaMemcpyAsync(static_cast<char*>(dst) + k.offset, staging, k.bytes,
                          cudaMemcpyHostToDevice, s),
          "cudaMemcpyAsync (upload)");
  }
}

void download_staged(Completion& c, void* dst, const void* src, size_t bytes, cudaStream_t s) {
  if (bytes == 0) return;
  char* staging = static_cast<char*>(staging_for(c, bytes));
  for (const Chunk& k : staging_chunks(bytes)) {
    check(cudaMemcpyAsync(staging, static_cast<const char*>(src) + k.offset, k.bytes,
                          cudaMemcpyDeviceToHost, s),
          "cudaMemcpyAsync (download)");
    char* to = static_cast<char*>(dst) + k.offset;
    c.host_step([staging, to, k] { std::memcpy(to, staging, k.bytes); });
  }
}

// cudaDownload(handle, offset, length) -> Promise<Float32Array | Uint16Array> (the buffer's
// element size): after the queued work.
Napi::Value download(const Napi::CallbackInfo& info) {
  size_t length = size_arg(info, 2);
  Range r = range_arg(info, 0, length);
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    Napi::TypedArray out;
    void* data = nullptr;
    if (r.elem == 2) {
      auto u = Napi::Uint16Array::New(env, length);
      data = u.Data();
      out = u;
    } else {
      auto f = Napi::Float32Array::New(env, length);
      data = f.Data();
      out = f;
    }
    if (length == 0) {
      auto d = Napi::Promise::Deferred::New(env);
      d.Resolve(out);
      return d.Promise();
    }
    DeviceScope scope(r.device);
    cudaStream_t s = stream_of(r.device);
    auto* c = new Completion(env, r.device, s, {r.keep, out}, "download");
    try {
      download_staged(*c, data, r.ptr, length * r.elem, s);
    } catch (...) {
      c->abandon();  // the steps already queued run first; the error is thrown here
      throw;
    }
    auto out_ref = std::make_shared<Napi::Reference<Napi::TypedArray>>(Napi::Persistent(out));
    return c->finish([out_ref](Napi::Env) -> Napi::Value { return out_ref->Value(); });
  });
}

// cudaSynchronize(device): waits for everything queued on the device's stream.
Napi::Value synchronize(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  return guarded(info.Env(), [&]() -> Napi::Value {
    DeviceScope scope(device);
    check(cudaStreamSynchronize(stream_of(device)), "cudaStreamSynchronize");
    note_synchronized(device);
    return info.Env().Undefined();
  });
}

// cudaMemInfo(device) -> { free, total } in bytes
Napi::Value mem_info(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  return guarded(info.Env(), [&]() -> Napi::Value {
    DeviceScope scope(device);
    size_t free_bytes = 0, total = 0;
    check(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
    auto o = Napi::Object::New(info.Env());
    o["free"] = double(free_bytes);
    o["total"] = double(total);
    return o;
  });
}

}  // namespace gpu
}  // namespace ak
