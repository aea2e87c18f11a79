// Completions (completion.h).
#include "completion.h"

#include <utility>

#include "device.h"
#include "errors.h"

namespace ak {
namespace gpu {

Completion::Completion(Napi::Env env, int device, cudaStream_t stream,
                       std::vector<Napi::Value> keep, std::string label)
    : env_(env),
      device_(device),
      stream_(stream),
      label_(std::move(label)),
      deferred_(Napi::Promise::Deferred::New(env)) {
  for (auto& v : keep) keep_.push_back(Napi::Persistent(v));
  // Referenced: a pending GPU promise keeps the process alive, as any pending I/O does.
  napi_status st = napi_create_threadsafe_function(
      env, nullptr, nullptr, Napi::String::New(env, "activation-kernels:cuda"), 0, 1, nullptr,
      nullptr, this, on_main, &tsfn_);
  if (st != napi_ok) throw Napi::Error::New(env, "napi_create_threadsafe_function failed");
}

Completion::~Completion() {
  for (auto& c : cleanups_) c();
}

void Completion::fail(cudaError_t status) {
  if (error_.empty())
    error_ = failure_message((label_ + " on device " + std::to_string(device_)).c_str(), status,
                             pending_launches(device_));
}

void CUDART_CB Completion::on_step(cudaStream_t, cudaError_t status, void* data) {
  std::unique_ptr<Step> step(static_cast<Step*>(data));
  Completion* c = step->owner;
  if (status != cudaSuccess) return c->fail(status);
  if (!c->error_.empty()) return;
  try {
    step->fn();
  } catch (const std::exception& e) {
    c->error_ = e.what();
  }
}

void Completion::host_step(HostStep fn) {
  auto* step = new Step{this, std::move(fn)};
  cudaError_t e = cudaStreamAddCallback(stream_, on_step, step, 0);
  if (e != cudaSuccess) delete step;
  check(e, "cudaStreamAddCallback");
}

void CUDART_CB Completion::on_done(cudaStream_t, cudaError_t status, void* data) {
  auto* c = static_cast<Completion*>(data);
  if (status != cudaSuccess) c->fail(status);
  napi_threadsafe_function tsfn = c->tsfn_;
  napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking);
  napi_release_threadsafe_function(tsfn, napi_tsfn_release);
}

void Completion::on_main(napi_env env, napi_value, void* context, void*) {
  std::unique_ptr<Completion> c(static_cast<Completion*>(context));
  if (env == nullptr) return;  // the environment is going away: nothing to settle
  c->settle(Napi::Env(env));
}

void Completion::settle(Napi::Env env) {
  Napi::HandleScope scope(env);
  if (quiet_) {  // abandoned: an unhandled rejection would end the process
    deferred_.Resolve(env.Undefined());
    return;
  }
  if (!error_.empty()) {
    // the stream's error is sticky: the calls after it fail too, and name it there as well
    note_failure(device_, error_);
    deferred_.Reject(Napi::Error::New(env, error_).Value());
    return;
  }
  note_synchronized(device_);
  try {
    deferred_.Resolve(result_ ? result_(env) : env.Undefined());
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  } catch (const std::exception& e) {
    deferred_.Reject(Napi::Error::New(env, e.what()).Value());
  }
}

Napi::Value Completion::finish(Result result) {
  result_ = std::move(result);
  Napi::Promise promise = deferred_.Promise();
  cudaError_t e = cudaStreamAddCallback(stream_, on_done, this, 0);
  if (e != cudaSuccess) {
    // Nothing will call back: wait here for the steps queued before, then settle now.
    cudaGetLastError();
    cudaError_t waited = cudaStreamSynchronize(stream_);
    fail(waited != cudaSuccess ? waited : e);
    napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
    std::unique_ptr<Completion> self(this);
    settle(Napi::Env(env_));
  }
  return promise;
}

Napi::Value settle(Napi::Env env, int device, std::vector<Napi::Value> keep, Result result,
                   const char* label) {
  auto* c = new Completion(env, device, stream_of(device), std::move(keep), label);
  return c->finish(std::move(result));
}

}  // namespace gpu
}  // namespace ak
