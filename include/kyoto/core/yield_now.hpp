// yield_now(): give other tasks a turn.
#pragma once

#include "kyoto/core/future.hpp"

namespace kyoto {

/// Pending once (after waking its own task), then ready: the task goes to
/// the back of its executor's queue. Works under block_on too.
///   for (...) { work(); co_await kyoto::yield_now(); }
class [[nodiscard]] yield_now {
 public:
  using output_type = void;
  yield_now() noexcept {}

  poll_result<void> poll(context& cx) noexcept {
    if (yielded_) return poll_result<void>::ready();
    yielded_ = true;
    cx.waker().wake_by_ref();
    return pending;
  }

 private:
  bool yielded_ = false;
};

}  // namespace kyoto
