// The blocking pool: threads for work that must not stall a worker.
//
// Jobs are task cells whose future runs the function once; schedule()
// queues them (queue_, guarded by lock_). An idle thread takes the next
// job; if none is idle and fewer than max_threads exist, a thread is
// started; otherwise the job waits its turn. A thread idle for keep_alive
// exits. Counters (threads_, idle_) are guarded by lock_; cv_ signals a
// new job or shutdown; exited_cv_ signals a thread's exit.
// Shutdown: close the owned list, cancel the queued jobs (never started),
// tell the threads to exit, wait for running jobs to finish (up to a
// timeout, after which the threads are left to finish alone: each holds a
// shared_ptr to the pool, so the pool outlives them. A job still running
// then must not spawn: its runtime may be gone).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>

#include "runtime/scheduler/scheduler.hpp"
#include "util/sync_primitives.hpp"

namespace kyoto::detail {

class runtime_core;

class blocking_pool : public scheduler, public std::enable_shared_from_this<blocking_pool> {
 public:
  blocking_pool(std::size_t max_threads, std::chrono::milliseconds keep_alive,
                std::string thread_name);
  ~blocking_pool();
  blocking_pool(const blocking_pool&) = delete;
  blocking_pool& operator=(const blocking_pool&) = delete;

  void set_runtime(runtime_core* core) noexcept { core_ = core; }
  /// Cancels queued jobs and waits (at most `timeout` if non-negative) for
  /// running ones. Returns false if the timeout expired.
  bool shutdown(std::chrono::nanoseconds timeout);

  struct counts {
    std::size_t threads, idle, queued;
  };
  counts thread_counts() const;

 private:
  static void schedule_fn(scheduler* s, task_header* t);
  static void thread_main(std::shared_ptr<blocking_pool> self, runtime_core* core);

  mutable mutex lock_;
  condition_variable cv_;           // a job arrived, or shutdown
  condition_variable exited_cv_;    // a thread exited
  std::deque<task_header*> queue_;  // guarded by lock_
  std::size_t threads_ = 0;         // guarded by lock_
  std::size_t idle_ = 0;            // guarded by lock_
  bool shutdown_ = false;           // guarded by lock_
  const std::size_t max_threads_;
  const std::chrono::milliseconds keep_alive_;
  const std::string name_;
  runtime_core* core_ = nullptr;
};

}  // namespace kyoto::detail
