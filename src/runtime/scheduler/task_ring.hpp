// task_ring: a growable FIFO of task pointers (a ring buffer whose
// capacity doubles when full and is kept afterwards).
//
// The run queues that are not fixed-size (the injection queue, a
// current-thread runtime's local queue) keep their tasks here instead of
// linking them through the task header: an idle task, the common case,
// then carries no queue link at all; only a queued task costs a slot.
// Not synchronised: its owner guards it.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include "kyoto/detail/task/header.hpp"

namespace kyoto::detail {

class task_ring {
 public:
  std::size_t size() const noexcept { return len_; }
  bool empty() const noexcept { return len_ == 0; }

  void push(task_header* t) {
    if (len_ == cap_) grow();
    buf_[(head_ + len_) & (cap_ - 1)] = t;
    ++len_;
  }

  void push_n(task_header* const* ts, std::size_t n) {
    while (cap_ - len_ < n) grow();
    for (std::size_t i = 0; i < n; ++i) buf_[(head_ + len_ + i) & (cap_ - 1)] = ts[i];
    len_ += n;
  }

  task_header* pop() noexcept {
    if (len_ == 0) return nullptr;
    task_header* t = buf_[head_];
    head_ = (head_ + 1) & (cap_ - 1);
    --len_;
    return t;
  }

  /// Moves up to max tasks, oldest first, to out; returns how many.
  std::size_t pop_n(task_header** out, std::size_t max) noexcept {
    std::size_t n = len_ < max ? len_ : max;
    for (std::size_t i = 0; i < n; ++i) out[i] = buf_[(head_ + i) & (cap_ - 1)];
    head_ = (head_ + n) & (cap_ - 1);
    len_ -= n;
    return n;
  }

 private:
  void grow() {
    std::size_t cap = cap_ ? 2 * cap_ : 64;
    auto buf = std::make_unique<task_header*[]>(cap);
    for (std::size_t i = 0; i < len_; ++i) buf[i] = buf_[(head_ + i) & (cap_ - 1)];
    buf_ = std::move(buf);
    cap_ = cap;
    head_ = 0;
  }

  std::unique_ptr<task_header*[]> buf_;
  std::size_t cap_ = 0;  // 0 or a power of two
  std::size_t head_ = 0;
  std::size_t len_ = 0;
};

}  // namespace kyoto::detail
