// Completions (completion.h).
#include "completion.h"

#include <utility>

#include "device.h"
#include "errors.h"

namespace ak {
namespace gpu {
namespace {

class Completion : public Napi::AsyncWorker {
 public:
  Completion(Napi::Env env, int device, cudaEvent_t event, std::vector<Napi::Value> keep, Then then,
             Result result)
      : Napi::AsyncWorker(env, "activation-kernels:cuda"),
        deferred_(Napi::Promise::Deferred::New(env)),
        device_(device),
        event_(event),
        then_(std::move(then)),
        result_(std::move(result)) {
    for (auto& v : keep) keep_.push_back(Napi::Persistent(v));
  }
  ~Completion() override {
    if (event_) ignore(cudaEventDestroy(event_));
  }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      DeviceScope scope(device_);
      if (event_) check(cudaEventSynchronize(event_), "cudaEventSynchronize");
      if (then_) then_();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    deferred_.Resolve(result_ ? result_(env) : env.Undefined());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  int device_;
  cudaEvent_t event_;
  Then then_;
  Result result_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
};

// An event recorded on the device's stream now, after everything queued so far. Blocking sync:
// the libuv thread that waits for it sleeps instead of spinning.
cudaEvent_t record(int device) {
  cudaEvent_t event = nullptr;
  check(cudaEventCreateWithFlags(&event, cudaEventDisableTiming | cudaEventBlockingSync),
        "cudaEventCreate");
  cudaError_t e = cudaEventRecord(event, stream_of(device));
  if (e != cudaSuccess) ignore(cudaEventDestroy(event));
  check(e, "cudaEventRecord");
  return event;
}

}  // namespace

void wait_blocking(cudaStream_t s) {
  cudaEvent_t event = nullptr;
  check(cudaEventCreateWithFlags(&event, cudaEventDisableTiming | cudaEventBlockingSync),
        "cudaEventCreate");
  cudaError_t e = cudaEventRecord(event, s);
  if (e == cudaSuccess) e = cudaEventSynchronize(event);
  ignore(cudaEventDestroy(event));
  check(e, "cudaEventSynchronize");
}

Napi::Value settle(Napi::Env env, int device, std::vector<Napi::Value> keep, Then then,
                   Result result) {
  auto* worker = new Completion(env, device, record(device), std::move(keep), std::move(then),
                                std::move(result));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace gpu
}  // namespace ak
