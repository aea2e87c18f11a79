// The CPU exports: one activation pass over host arrays, on the calling thread or (the Async
// forms) on the libuv pool; the ISA and thread settings. The program comes first, then x, dy and
// out as the pass needs them: forward(program, x, out), backward(program, x, dy, out),
// paramGrad(program, x, dy), each with an optional last argument for half-precision arrays: 0
// (bfloat16) or 1 (float16), where x, dy and out are Uint16Arrays. forward and backward (and their async forms) return the name of
// the input ('x' or 'dy') that out partly overlaps, computing nothing: lib/ checks overlap
// within one buffer object, and only the addon sees memory shared by two (SharedArrayBuffers),
// so lib/ throws the RangeError on that name. The async forms take null for out (a new array)
// and resolve with out.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "../cpp/cpu/compute.h"
#include "../cpp/cpu/thread_pool.h"
#include "args.h"
#include "exports.h"
#include "task.h"

namespace ak {
namespace {

// Per JS context (main thread, each worker): its own thread count.
struct AddonState {
  int threads = hardware_threads();
};

int threads_of(Napi::Env env) { return env.GetInstanceData<AddonState>()->threads; }

// dst[0, n) = src[0, n) bytes, split over the pool from 1 MiB (a copy is memory-bound: it gains
// only from the bandwidth a second core adds).
void copy_bytes(void* dst, const void* src, size_t n, int threads) {
  constexpr size_t kChunk = size_t(1) << 18;
  auto* d = static_cast<char*>(dst);
  auto* s = static_cast<const char*>(src);
  if (n < (size_t(1) << 20) || threads <= 1) {
    if (n) std::memcpy(d, s, n);
    return;
  }
  parallel_run((n + kChunk - 1) / kChunk, threads, [&](size_t t) {
    size_t begin = t * kChunk, end = std::min(n, begin + kChunk);
    std::memcpy(d + begin, s + begin, end - begin);
  });
}

// A SharedArrayBuffer cannot be detached, transferred or shrunk, and the reference an async
// call keeps to its view keeps its memory: such arrays are used in place.
bool shared_memory(napi_env env, napi_value array) {
  napi_value buffer = nullptr;
  bool plain = true;
  napi_get_typedarray_info(env, array, nullptr, nullptr, nullptr, &buffer, nullptr);
  napi_is_arraybuffer(env, buffer, &plain);  // false for a SharedArrayBuffer
  return !plain;
}

// The arrays of one pass, checked for length.
struct Call {
  Pass pass = Pass::Forward;
  ProgramArg f;
  Elements x{}, dy{}, out{};
  int half = -1;  // -1: float32; else the Half format of Uint16Arrays
  int threads = 1;
  double sums[kMaxParams] = {};
  const char* overlap = nullptr;  // out partly overlaps this input: not computed
  // An async call's own memory: copies of the caller's inputs, and the result where it is
  // copied into out at completion (copy_out).
  std::shared_ptr<float> owned;
  bool copy_out = false;
  bool made_out = false;  // out is the array made for the result (null was passed)

  size_t element_size() const { return half < 0 ? sizeof(float) : sizeof(uint16_t); }

  void run() {
    if (half >= 0) return run_half(Half(half));
    auto* fx = static_cast<const float*>(x.data);
    auto* fdy = static_cast<const float*>(dy.data);
    auto* fout = static_cast<float*>(out.data);
    switch (pass) {
      case Pass::Forward: return cpu_forward(*f.f, fx, fout, x.length, threads);
      case Pass::Backward: return cpu_backward(*f.f, fx, fdy, fout, x.length, threads);
      case Pass::ParamGrad: return cpu_param_grad(*f.f, fx, fdy, x.length, threads, sums);
    }
  }

  void run_half(Half h) {
    auto* hx = static_cast<const uint16_t*>(x.data);
    auto* hdy = static_cast<const uint16_t*>(dy.data);
    auto* hout = static_cast<uint16_t*>(out.data);
    switch (pass) {
      case Pass::Forward: return cpu_forward_half(*f.f, h, hx, hout, x.length, threads);
      case Pass::Backward: return cpu_backward_half(*f.f, h, hx, hdy, hout, x.length, threads);
      case Pass::ParamGrad:
        return cpu_param_grad_half(*f.f, h, hx, hdy, x.length, threads, sums);
    }
  }

  // The async form's value, on the main thread once the work is done: paramGrad's sums, or out,
  // into which the result is copied here when the kernel wrote the library's memory. The caller
  // may have transferred, detached or resized out meanwhile: then nothing is written and the
  // call rejects. kept: the program, x, then dy and out where the pass has them.
  Napi::Value result(Napi::Env env, const std::vector<Napi::Value>& kept) const {
    if (pass == Pass::ParamGrad) return sums_value(env, sums, f.f->param_grads);
    napi_value target = kept.back();
    if (!copy_out) return Napi::Value(env, target);
    size_t length = 0;
    void* data = nullptr;
    napi_value buffer = nullptr;
    napi_get_typedarray_info(env, target, nullptr, &length, &data, &buffer, nullptr);
    if (length != x.length || (length && !data)) {
      bool detached = false;
      napi_is_detached_arraybuffer(env, buffer, &detached);
      throw Napi::TypeError::New(
          env, std::string("Expected a ") + (half < 0 ? "Float32Array" : "Uint16Array") + " of " + std::to_string(x.length) +
                   " elements, attached and not resized until the call settled, for out but "
                   "received one " +
                   (detached ? std::string("detached (transferred) while the call ran")
                             : "resized to " + std::to_string(length) +
                                   " elements while the call ran") +
                   "; nothing was written to it");
    }
    copy_bytes(data, out.data, length * element_size(), threads);
    return Napi::Value(env, target);
  }
};

// Memory, not buffers: views of different buffers (two SharedArrayBuffer objects over one
// memory) may share it.
bool partly_overlaps(const void* out, const void* in, size_t bytes) {
  auto o = reinterpret_cast<uintptr_t>(out), i = reinterpret_cast<uintptr_t>(in);
  return o != i && o < i + bytes && i < o + bytes;
}

// out may be null for an async call: the result goes into a new array.
Call unwrap(const Napi::CallbackInfo& info, Pass pass, bool out_nullable = false) {
  Call c;
  c.pass = pass;
  c.f = program_arg(info, 0);
  c.threads = threads_of(info.Env());
  c.half = half_arg(info, pass == Pass::Backward ? 4 : 3);
  c.x = elements_array(info, 1, c.half);
  size_t next = 2;
  if (pass != Pass::Forward) c.dy = elements_array(info, next++, c.half, c.x.length);
  if (pass != Pass::ParamGrad) {
    if (out_nullable && info[next].IsNull()) {
      c.made_out = true;
      return c;
    }
    c.out = elements_array(info, next, c.half, c.x.length);
    const size_t bytes = c.x.length * c.element_size();
    if (c.out.data && partly_overlaps(c.out.data, c.x.data, bytes)) c.overlap = "x";
    if (c.out.data && c.dy.data && partly_overlaps(c.out.data, c.dy.data, bytes))
      c.overlap = "dy";
  }
  return c;
}

template <Pass P>
Napi::Value run_sync(const Napi::CallbackInfo& info) {
  Call c = unwrap(info, P);
  if (c.overlap) return Napi::String::New(info.Env(), c.overlap);
  c.run();
  if (P == Pass::ParamGrad) return sums_value(info.Env(), c.sums, c.f.f->param_grads);
  return Napi::Value();  // undefined, without a call for it
}

// The library's memory for async calls. One freed block is kept for the next call: a block of
// 32 MiB or more comes from mmap and goes back to the system when freed, so without it every
// large call would pay its page faults again (more than the copy itself on a VM).
class Scratch {
 public:
  static std::shared_ptr<float> get(size_t n) {
    float* block = nullptr;
    size_t have = 0;
    {
      std::lock_guard<std::mutex> lock(mutex());
      Kept& k = kept();
      if (k.block && k.size >= n && k.size / 4 <= n) {  // not a huge block for a small call
        block = k.block;
        have = k.size;
        k = {};
      }
    }
    if (!block) {
      block = new (std::nothrow) float[n];
      have = n;
      if (!block) return nullptr;
    }
    return std::shared_ptr<float>(block, [have](float* b) { put(b, have); });
  }

 private:
  struct Kept {
    float* block = nullptr;
    size_t size = 0;
  };
  static constexpr size_t kMaxKept = size_t(1) << 26;  // floats: 256 MiB
  static std::mutex& mutex() {
    static std::mutex* m = new std::mutex;  // never destroyed: a block may come back at exit
    return *m;
  }
  static Kept& kept() {
    static Kept* k = new Kept;
    return *k;
  }
  static void put(float* block, size_t size) {
    {
      std::lock_guard<std::mutex> lock(mutex());
      Kept& k = kept();
      if (size <= kMaxKept && size >= k.size) std::swap(block, k.block), k.size = size;
    }
    delete[] block;
  }
};

// An async call's kernel touches only memory that cannot go away while it runs, whatever the
// caller does meanwhile (docs/threads.md): SharedArrayBuffer memory, the new array made for
// the result, and otherwise the library's own copies, taken here on the main thread; a result
// for the caller's out is copied into it at completion (Call::result). The kernels compute in
// place, so the result goes where the copy of x is (or of dy) when there is one.
void own_memory(Napi::Env env, Call& c) {
  const size_t n = c.x.length, size = c.element_size();
  if (n == 0) return;
  const bool copy_x = !shared_memory(env, c.x.value);
  const bool copy_dy = c.dy.value && !shared_memory(env, c.dy.value);
  c.copy_out = c.out.value && !c.made_out && !shared_memory(env, c.out.value);
  char* x_at = nullptr;  // where the copy of x goes: the made result itself, or scratch
  size_t slots = 0;
  if (copy_x && c.made_out) x_at = static_cast<char*>(c.out.data);
  else if (copy_x) ++slots;
  if (copy_dy) ++slots;
  if (c.copy_out && !copy_x && !copy_dy) ++slots;  // out's own slot
  const size_t bytes = n * size;  // each slot, 4-aligned: a slot of halves is padded to floats
  const size_t slot_floats = (bytes + sizeof(float) - 1) / sizeof(float);
  if (slots) {
    if (n > SIZE_MAX / sizeof(float) / slots) internal_error(env, "arrays too large to copy");
    c.owned = Scratch::get(slot_floats * slots);
    if (!c.owned)
      throw Napi::RangeError::New(
          env, "Expected " + std::to_string(slot_floats * slots * sizeof(float)) +
                   " bytes of free memory for the async call's copy of x but received an "
                   "allocation failure");
  }
  char* next = reinterpret_cast<char*>(c.owned.get());
  const size_t slot = slot_floats * sizeof(float);
  if (copy_x && !x_at) x_at = next, next += slot;
  char* dy_at = copy_dy ? next : nullptr;
  if (copy_dy) next += slot;
  if (x_at) copy_bytes(x_at, c.x.data, bytes, c.threads);
  if (dy_at) copy_bytes(dy_at, c.dy.data, bytes, c.threads);
  if (c.copy_out) c.out.data = x_at ? x_at : dy_at ? dy_at : next;
  else if (c.made_out && x_at) c.out.data = x_at;  // the same memory: computed in place
  if (x_at) c.x.data = x_at;
  if (dy_at) c.dy.data = dy_at;
}

template <Pass P>
Napi::Value run_async(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Call c = unwrap(info, P, true);
  if (c.overlap) return Napi::String::New(env, c.overlap);
  if (c.made_out) {
    // The result's own array: no caller can reach it before the promise gives it.
    if (c.half < 0) {
      auto made = Napi::Float32Array::New(env, c.x.length);
      c.out = {made, made.Data(), c.x.length};
    } else {
      auto made = Napi::Uint16Array::New(env, c.x.length);
      c.out = {made, made.Data(), c.x.length};
    }
  }
  own_memory(env, c);
  std::vector<napi_value> keep{c.f.value, c.x.value};
  if (c.dy.value) keep.push_back(c.dy.value);
  if (c.out.value) keep.push_back(c.out.value);
  return Task<Call>::queue(env, std::move(c), keep);
}

// convert(format, from, to): a Float32Array into a Uint16Array of that format's bits (rounded to
// nearest even), or back (exact); both of one length.
Napi::Value convert(const Napi::CallbackInfo& info) {
  int half = half_arg(info, 0);
  if (half < 0) internal_error(info.Env(), "expected a half-precision format");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(info.Env(), info[1], &type, &length, &data, nullptr, nullptr) !=
      napi_ok)
    internal_error(info.Env(), "argument 1: expected a typed array");
  if (type == napi_float32_array) {
    Elements to = elements_array(info, 2, half, length);
    halves_from_floats(Half(half), static_cast<const float*>(data),
                       static_cast<uint16_t*>(to.data), length);
  } else {
    Elements from = elements_array(info, 1, half);
    Elements to = elements_array(info, 2, -1, from.length);
    floats_from_halves(Half(half), static_cast<const uint16_t*>(from.data),
                       static_cast<float*>(to.data), from.length);
  }
  return info.Env().Undefined();
}

Napi::Value isa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), cpu_isa()); }

Napi::Value supported_isas(const Napi::CallbackInfo& info) {
  auto names = cpu_supported_isas();
  auto list = Napi::Array::New(info.Env(), names.size());
  for (size_t i = 0; i < names.size(); ++i) list[i] = Napi::String::New(info.Env(), names[i]);
  return list;
}

Napi::Value set_isa(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) internal_error(info.Env(), "expected an ISA name");
  return Napi::Boolean::New(info.Env(), set_cpu_isa(info[0].As<Napi::String>()));
}

Napi::Value threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), threads_of(info.Env()));
}

Napi::Value set_threads(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) internal_error(info.Env(), "expected a thread count");
  double n = info[0].As<Napi::Number>().DoubleValue();  // NaN and huge values too
  info.Env().GetInstanceData<AddonState>()->threads = n >= 1 ? int(std::min(n, 1024.0)) : 1;
  return info.Env().Undefined();
}

}  // namespace

void export_cpu(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonState);
  exports["forward"] = Napi::Function::New(env, run_sync<Pass::Forward>);
  exports["backward"] = Napi::Function::New(env, run_sync<Pass::Backward>);
  exports["paramGrad"] = Napi::Function::New(env, run_sync<Pass::ParamGrad>);
  exports["forwardAsync"] = Napi::Function::New(env, run_async<Pass::Forward>);
  exports["backwardAsync"] = Napi::Function::New(env, run_async<Pass::Backward>);
  exports["paramGradAsync"] = Napi::Function::New(env, run_async<Pass::ParamGrad>);
  exports["convert"] = Napi::Function::New(env, convert);
  exports["isa"] = Napi::Function::New(env, isa);
  exports["supportedIsas"] = Napi::Function::New(env, supported_isas);
  exports["setIsa"] = Napi::Function::New(env, set_isa);
  exports["threads"] = Napi::Function::New(env, threads);
  exports["setThreads"] = Napi::Function::New(env, set_threads);
}

}  // namespace ak
