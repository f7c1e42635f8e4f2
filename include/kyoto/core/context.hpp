// context: what a poll receives; today the waker of the polling task.
#pragma once

#include "kyoto/core/waker.hpp"

namespace kyoto {

/// Passed to every poll. A future that returns pending must first arrange
/// for cx.waker() (or a clone) to be woken when it can make progress.
class context {
 public:
  explicit context(const kyoto::waker& w) noexcept : waker_(&w) {}

  const kyoto::waker& waker() const noexcept { return *waker_; }

 private:
  const kyoto::waker* waker_;
};

}  // namespace kyoto
