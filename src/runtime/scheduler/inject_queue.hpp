// inject_queue: the global FIFO of tasks scheduled from outside a worker
// (and of a worker's overflow).
//
// An intrusive singly linked list through task_header::queue_next, guarded
// by mutex_. len_ mirrors the length so that the hot "is it empty?" check
// takes no lock: it is written under the lock, read with acquire without
// it (a stale "empty" is fine: whoever pushed also notifies a worker).
// Once closed (shutdown), push refuses and the caller drops the task's
// notification reference itself.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>

#include "kyoto/detail/task_cell.hpp"

namespace kyoto::detail {

class inject_queue {
 public:
  /// False when closed (the caller keeps the reference).
  bool push(task_header* t) {
    t->queue_next = nullptr;
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    link(t, t, 1);
    return true;
  }

  /// Pushes a chain first..last (linked by queue_next) of n tasks.
  bool push_batch(task_header* first, task_header* last, std::size_t n) {
    last->queue_next = nullptr;
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    link(first, last, n);
    return true;
  }

  task_header* pop() {
    if (empty()) return nullptr;
    std::lock_guard lock(mutex_);
    return pop_locked();
  }

  /// Unlinks up to max tasks and returns them as a chain (through
  /// queue_next, null-terminated). The caller handles them after the lock
  /// is released: handling may push to this queue again (overflow).
  task_header* pop_n(std::size_t max) {
    if (empty() || max == 0) return nullptr;
    std::lock_guard lock(mutex_);
    task_header* first = head_;
    if (!first) return nullptr;
    task_header* last = first;
    std::size_t n = 1;
    while (n < max && last->queue_next) {
      last = last->queue_next;
      ++n;
    }
    head_ = last->queue_next;
    if (!head_) tail_ = nullptr;
    last->queue_next = nullptr;
    len_.store(len_.load(std::memory_order_relaxed) - n, std::memory_order_release);
    return first;
  }

  bool empty() const noexcept { return len_.load(std::memory_order_acquire) == 0; }
  std::size_t len() const noexcept { return len_.load(std::memory_order_acquire); }

  /// Refuses further pushes; returns the chain of queued tasks.
  task_header* close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    task_header* all = head_;
    head_ = tail_ = nullptr;
    len_.store(0, std::memory_order_release);
    return all;
  }

 private:
  void link(task_header* first, task_header* last, std::size_t n) {
    if (tail_) {
      tail_->queue_next = first;
    } else {
      head_ = first;
    }
    tail_ = last;
    len_.store(len_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }
  task_header* pop_locked() {
    task_header* t = head_;
    if (!t) return nullptr;
    head_ = t->queue_next;
    if (!head_) tail_ = nullptr;
    t->queue_next = nullptr;
    len_.store(len_.load(std::memory_order_relaxed) - 1, std::memory_order_release);
    return t;
  }

  std::mutex mutex_;
  task_header* head_ = nullptr;  // guarded by mutex_
  task_header* tail_ = nullptr;  // guarded by mutex_
  bool closed_ = false;          // guarded by mutex_
  std::atomic<std::size_t> len_{0};
};

}  // namespace kyoto::detail
