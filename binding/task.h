// An async call: work.run() on a libuv thread, then a promise settled on the main thread with
// work.result(env, kept), or rejected with what either threw. The values in `keep` (the call's
// arrays and program) stay referenced until then; `kept` gives them back, in the same order, as
// values of the settling scope (the napi_values of the call itself are gone by then).
#pragma once

#include <napi.h>

#include <exception>
#include <utility>
#include <vector>

namespace ak {

template <class Work>
class Task : public Napi::AsyncWorker {
 public:
  static Napi::Promise queue(Napi::Env env, Work work, const std::vector<napi_value>& keep) {
    auto* task = new Task(env, std::move(work), keep);  // deleted by Napi::AsyncWorker
    Napi::Promise promise = task->deferred_.Promise();
    task->Queue();
    return promise;
  }

 protected:
  void Execute() override {
    try {
      work_.run();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    try {
      std::vector<Napi::Value> kept;
      for (auto& ref : keep_) kept.push_back(ref.Value());
      deferred_.Resolve(work_.result(Env(), kept));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Task(Napi::Env env, Work work, const std::vector<napi_value>& keep)
      : Napi::AsyncWorker(env, "activation-kernels"),
        deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)) {
    for (napi_value v : keep) keep_.push_back(Napi::Persistent(Napi::Value(env, v)));
  }
  Napi::Promise::Deferred deferred_;
  Work work_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
};

}  // namespace ak
