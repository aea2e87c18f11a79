// Device memory (memory.h) and the GpuArray's memory calls: cudaAlloc, cudaWrap, cudaFree,
// cudaAddress, cudaUpload, cudaDownload, cudaSynchronize, cudaMemInfo.
#include "memory.h"

#include <cstring>
#include <memory>

#include "args.h"
#include "completion.h"
#include "device.h"
#include "errors.h"
#include "exports.h"

namespace ak {
namespace gpu {

void release(Allocation* a) {
  if (a->owned && a->ptr) {
    int previous = 0;
    cudaGetDevice(&previous);
    cudaSetDevice(a->device);
    cudaFree(a->ptr);  // waits for queued work on it; errors at exit are of no use to anyone
    cudaSetDevice(previous);
  }
  a->ptr = nullptr;
}

Handle new_handle(Napi::Env env, Allocation a) {
  return Handle::New(env, new Allocation(a), [](Napi::Env, Allocation* p) {
    release(p);
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
  return {a.ptr ? a.ptr + offset : nullptr, a.device, info[i]};
}

void* Scratch::block(size_t bytes) {
  void* p = nullptr;
  if (bytes) check(cudaMalloc(&p, bytes), "cudaMalloc");
  blocks_.push_back(p);
  return p;
}

void Scratch::release() {
  for (void* p : blocks_) cudaFree(p);
  blocks_.clear();
}

// cudaAlloc(device, length) -> handle
Napi::Value alloc(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  size_t length = size_arg(info, 1);
  return guarded(info.Env(), [&]() -> Napi::Value {
    DeviceScope scope(device);
    float* p = nullptr;
    if (length) check(cudaMalloc(&p, length * sizeof(float)), "cudaMalloc");
    return new_handle(info.Env(), Allocation{p, length, device, true});
  });
}

// cudaWrap(device, address: bigint, length) -> non-owning handle
Napi::Value wrap(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  if (!info[1].IsBigInt()) internal_error(info.Env(), "expected a bigint address");
  bool lossless = false;
  uint64_t address = info[1].As<Napi::BigInt>().Uint64Value(&lossless);
  size_t length = size_arg(info, 2);
  if (!lossless || address % 4) internal_error(info.Env(), "expected an aligned address");
  return new_handle(
      info.Env(), Allocation{reinterpret_cast<float*>(uintptr_t(address)), length, device, false});
}

// cudaFree(handle): frees owned memory now (waiting for queued work on it).
Napi::Value free_now(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) internal_error(info.Env(), "expected a device buffer");
  release(info[0].As<Handle>().Data());
  return info.Env().Undefined();
}

// cudaAddress(handle, offset) -> bigint
Napi::Value address(const Napi::CallbackInfo& info) {
  Range r = range_arg(info, 0, 0);
  return Napi::BigInt::New(info.Env(), uint64_t(uintptr_t(r.ptr)));
}

// cudaUpload(handle, offset, Float32Array): queued; the host data is copied before it returns.
Napi::Value upload(const Napi::CallbackInfo& info) {
  Napi::Float32Array x = float_array(info, 2);
  Range r = range_arg(info, 0, x.ElementLength());
  return guarded(info.Env(), [&]() -> Napi::Value {
    if (x.ElementLength() == 0) return info.Env().Undefined();
    DeviceScope scope(r.device);
    check(cudaMemcpyAsync(r.ptr, x.Data(), x.ByteLength(), cudaMemcpyHostToDevice,
                          stream_of(r.device)),
          "cudaMemcpyAsync (upload)");
    return info.Env().Undefined();
  });
}

// Pinned host memory that a queued copy writes into.
struct Pinned {
  void* ptr = nullptr;
  explicit Pinned(size_t bytes) {
    if (bytes) check(cudaMallocHost(&ptr, bytes), "cudaMallocHost");
  }
  void release() {
    if (ptr) cudaFreeHost(ptr);
    ptr = nullptr;
  }
  ~Pinned() { release(); }
};

// cudaDownload(handle, offset, length) -> Promise<Float32Array>: after the queued work.
Napi::Value download(const Napi::CallbackInfo& info) {
  size_t length = size_arg(info, 2);
  Range r = range_arg(info, 0, length);
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto out = Napi::Float32Array::New(env, length);
    if (length == 0) {
      auto d = Napi::Promise::Deferred::New(env);
      d.Resolve(out);
      return d.Promise();
    }
    DeviceScope scope(r.device);
    auto staging = std::make_shared<Pinned>(length * sizeof(float));
    check(cudaMemcpyAsync(staging->ptr, r.ptr, length * sizeof(float), cudaMemcpyDeviceToHost,
                          stream_of(r.device)),
          "cudaMemcpyAsync (download)");
    float* dest = out.Data();
    return settle(
        env, r.device, {r.keep, out},
        [staging, dest, length] {
          std::memcpy(dest, staging->ptr, length * sizeof(float));
          staging->release();  // here, on the libuv thread: cudaFreeHost may wait for the device
        },
        [out_ref = std::make_shared<Napi::Reference<Napi::Float32Array>>(Napi::Persistent(out))](
            Napi::Env) -> Napi::Value { return out_ref->Value(); });
  });
}

// cudaSynchronize(device): waits for everything queued on the device's stream.
Napi::Value synchronize(const Napi::CallbackInfo& info) {
  int device = device_arg(info, 0);
  return guarded(info.Env(), [&]() -> Napi::Value {
    DeviceScope scope(device);
    check(cudaStreamSynchronize(stream_of(device)), "cudaStreamSynchronize");
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
