#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace ak {
namespace {

// The pool's threads run this library's code for the rest of the process, but Node unloads an
// addon when the last worker that loaded it exits (a crash seen in test/concurrency.test.ts):
// before the first thread starts, the library takes a reference to itself that is never dropped.
void pin_this_library() {
#if defined(_WIN32)
  HMODULE self;
  GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                     reinterpret_cast<LPCSTR>(&pin_this_library), &self);
#else
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&pin_this_library), &info) && info.dli_fname)
    dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE);
#endif
}

class ThreadPool {
 public:
  void run(size_t tasks, int threads, const std::function<void(size_t)>& task) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock() || threads <= 1 || tasks <= 1) {
      for (size_t i = 0; i < tasks; ++i) task(i);
      return;
    }
    size_t helpers = size_t(threads - 1) < tasks - 1 ? size_t(threads - 1) : tasks - 1;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (workers_.empty()) pin_this_library();
      while (workers_.size() < helpers) workers_.emplace_back([this] { work(); });
      task_ = &task;
      tasks_ = tasks;
      next_.store(0);
      wanted_ = helpers;
      running_ = helpers;
      ++generation_;
    }
    wake_.notify_all();
    drain();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return running_ == 0; });
    task_ = nullptr;
  }

 private:
  void drain() {
    for (size_t i; (i = next_.fetch_add(1)) < tasks_;) (*task_)(i);
  }

  void work() {
    size_t seen = 0;
    for (;;) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_ != seen && wanted_ > 0; });
      seen = generation_;
      --wanted_;
      lock.unlock();
      drain();
      lock.lock();
      if (--running_ == 0) done_.notify_one();
    }
  }

  std::mutex busy_;   // held by the one caller whose job the pool runs
  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(size_t)>* task_ = nullptr;
  size_t tasks_ = 0, wanted_ = 0, running_ = 0, generation_ = 0;
  std::atomic<size_t> next_{0};
};

}  // namespace

void parallel_run(size_t tasks, int threads, const std::function<void(size_t)>& task) {
  static ThreadPool* pool = new ThreadPool;  // never destroyed: see thread_pool.h
  pool->run(tasks, threads, task);
}

int hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : int(n);
}

}  // namespace ak
