#include "thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
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

// Waits a little before sleeping: a job follows the last one within microseconds in a loop of
// calls, and waking a sleeping thread costs tens of microseconds (more on a busy VM).
constexpr auto kSpin = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins until done() or kSpin has passed; true if done.
template <class Done>
bool spin_until(const Done& done) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0;; ++i) {
    if (done()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() - start > kSpin) return false;
  }
}

class ThreadPool {
 public:
  void run(size_t tasks, int threads, const std::function<void(size_t)>& task) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock() || threads <= 1 || tasks <= 1) {
      for (size_t i = 0; i < tasks; ++i) task(i);
      return;
    }
    // Threads above this caller's setting go back, so a large setThreads once does not keep
    // (and wake) hundreds of idle threads for every later call.
    size_t keep = size_t(threads - 1) < limit_ ? size_t(threads - 1) : limit_;
    retire(keep);
    size_t helpers = keep < tasks - 1 ? keep : tasks - 1;
    if (workers_.size() < helpers) grow(helpers);
    // A thread that could not be created (a pids or thread limit) leaves fewer helpers: the
    // job runs on the threads there are, the caller included.
    if (helpers > workers_.size()) helpers = workers_.size();
    if (helpers == 0) {
      for (size_t i = 0; i < tasks; ++i) task(i);
      return;
    }
    task_ = &task;
    tasks_ = tasks;
    next_.store(0);
    wanted_.store(long(helpers));
    running_.store(helpers);
    generation_.fetch_add(1);  // publishes the job (seq_cst, as every access below)
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    drain();
    if (!spin_until([this] { return running_.load() == 0; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      ++sleepers_;
      done_.wait(lock, [this] { return running_.load() == 0; });
      --sleepers_;
    }
    task_ = nullptr;
  }

 private:
  struct Worker {
    std::shared_ptr<std::atomic<bool>> stop;
    std::thread thread;
  };

  void grow(size_t helpers) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (workers_.empty()) pin_this_library();
    while (workers_.size() < helpers) {
      try {
        workers_.reserve(helpers);  // first: push_back must not throw with a running thread
        auto stop = std::make_shared<std::atomic<bool>>(false);
        std::thread thread([this, stop] { work(*stop); });
        workers_.push_back({stop, std::move(thread)});
      } catch (const std::exception&) {  // std::system_error, or no memory for the record
        // The system is out of threads for this user: had the pool kept them all, the next
        // thread anything else needs (libuv's pool, which aborts without it; a worker) would
        // fail too. Half of them go back, and the pool stays at most that size.
        limit_ = workers_.size() / 2;
        break;
      }
    }
    if (workers_.size() > limit_) {
      lock.unlock();
      retire(limit_);
    }
  }

  // Only between jobs (the caller holds busy_), so the threads that go are idle: each is told,
  // woken and joined (outside the mutex, which a sleeper takes to wake), so that its slot is
  // free again when this returns.
  void retire(size_t keep) {
    if (workers_.size() <= keep) return;
    std::vector<Worker> going;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (size_t i = keep; i < workers_.size(); ++i) {
        workers_[i].stop->store(true);
        going.push_back(std::move(workers_[i]));
      }
      workers_.resize(keep);
      wake_.notify_all();
    }
    for (auto& w : going) w.thread.join();
  }

  void drain() {
    for (size_t i; (i = next_.fetch_add(1)) < tasks_;) (*task_)(i);
  }

  // A worker spins on the generation, then sleeps; a sleeper counts itself in sleepers_ before
  // it checks, so the publisher either sees it (and notifies under the mutex) or it sees the job.
  void work(const std::atomic<bool>& stop) {
    size_t seen = 0;
    for (;;) {
      auto fresh = [&] { return generation_.load() != seen || stop.load(); };
      if (!spin_until(fresh)) {
        std::unique_lock<std::mutex> lock(mutex_);
        ++sleepers_;
        wake_.wait(lock, fresh);
        --sleepers_;
      }
      if (stop.load()) return;
      seen = generation_.load();
      // More workers than this job wants: leave it to the others.
      if (wanted_.fetch_sub(1) <= 0) {
        wanted_.fetch_add(1);
        continue;
      }
      drain();
      if (running_.fetch_sub(1) == 1 && sleepers_.load() > 0) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_all();
      }
    }
  }

  std::mutex busy_;   // held by the one caller whose job the pool runs
  std::mutex mutex_;  // guards workers_ and the sleeping
  std::condition_variable wake_, done_;
  std::vector<Worker> workers_;
  size_t limit_ = size_t(-1);                          // lowered where the system refused a thread
  const std::function<void(size_t)>* task_ = nullptr;  // written before generation_ moves
  size_t tasks_ = 0;
  std::atomic<long> wanted_{0};
  std::atomic<size_t> running_{0}, generation_{0}, next_{0};
  std::atomic<int> sleepers_{0};
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
