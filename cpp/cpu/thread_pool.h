// A small persistent pool for large host arrays. One job at a time: a caller that finds the
// pool busy (another JS context, or an async call on the libuv pool) runs its job on its own
// thread instead of waiting, so nothing can deadlock. The pool is created on first use and
// never destroyed: its idle threads end with the process, so exit never waits on them, and the
// library stays loaded while they exist (thread_pool.cpp).
#pragma once

#include <cstddef>
#include <functional>

namespace ak {

// Runs task(i) for every i in [0, tasks) on at most `threads` threads, the caller included,
// and returns when all are done. tasks and threads may be anything >= 1.
void parallel_run(size_t tasks, int threads, const std::function<void(size_t)>& task);

// Threads this machine offers (at least 1).
int hardware_threads();

}  // namespace ak
