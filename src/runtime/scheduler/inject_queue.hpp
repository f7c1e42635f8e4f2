// inject_queue: the global FIFO of tasks scheduled from outside a worker
// (and of a worker's overflow).
//
// A task_ring guarded by mutex_. len_ mirrors the length so that the hot
// "is it empty?" check takes no lock: it is written under the lock, read
// with acquire without it (a stale "empty" is fine: whoever pushed also
// notifies a worker). Once closed (shutdown), push refuses and the caller
// drops the task's notification reference itself.
#pragma once

#include <cstddef>
#include <vector>

#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/detail/task/cell.hpp"
#include "runtime/scheduler/task_ring.hpp"

namespace kyoto::detail {

class inject_queue {
 public:
  /// False when closed (the caller keeps the reference).
  bool push(task_header* t) {
    lock_guard lock(mutex_);
    if (closed_) return false;
    ring_.push(t);
    len_.store(ring_.size(), std::memory_order_release);
    return true;
  }

  /// Pushes n tasks, in order; false when closed (the caller keeps them).
  bool push_batch(task_header* const* ts, std::size_t n) {
    lock_guard lock(mutex_);
    if (closed_) return false;
    ring_.push_n(ts, n);
    len_.store(ring_.size(), std::memory_order_release);
    return true;
  }

  task_header* pop() {
    if (empty()) return nullptr;
    lock_guard lock(mutex_);
    task_header* t = ring_.pop();
    len_.store(ring_.size(), std::memory_order_release);
    return t;
  }

  /// Moves up to max tasks, oldest first, to out; returns how many. The
  /// caller handles them after the lock is released: handling may push to
  /// this queue again (overflow).
  std::size_t pop_n(task_header** out, std::size_t max) {
    if (empty() || max == 0) return 0;
    lock_guard lock(mutex_);
    std::size_t n = ring_.pop_n(out, max);
    len_.store(ring_.size(), std::memory_order_release);
    return n;
  }

  bool empty() const noexcept { return len_.load(std::memory_order_acquire) == 0; }
  std::size_t len() const noexcept { return len_.load(std::memory_order_acquire); }

  /// Refuses further pushes; returns the queued tasks.
  std::vector<task_header*> close() {
    lock_guard lock(mutex_);
    closed_ = true;
    std::vector<task_header*> all;
    all.reserve(ring_.size());
    while (task_header* t = ring_.pop()) all.push_back(t);
    len_.store(0, std::memory_order_release);
    return all;
  }

 private:
  mutex mutex_;
  task_ring ring_;       // guarded by mutex_
  bool closed_ = false;  // guarded by mutex_
  atomic<std::size_t> len_{0};
};

}  // namespace kyoto::detail
