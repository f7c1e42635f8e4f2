// The test clock: pause, advance and resume time on a current-thread runtime.
#pragma once

#include <chrono>
#include <stdexcept>

#include "kyoto/core/future.hpp"
#include "kyoto/detail/time/timer_entry.hpp"

namespace kyoto::time {

/// Freezes the current runtime's clock. While paused and idle, the
/// runtime jumps straight to the next timer, so a test of a one-hour
/// timeout finishes at once. Current-thread runtimes only (throws
/// std::logic_error elsewhere).
///   kyoto::time::pause();
///   co_await kyoto::sleep(1h);   // returns immediately
inline void pause() {
  if (!detail::current_runtime_is_current_thread()) {
    throw std::logic_error("kyoto::time::pause needs a current_thread runtime with time enabled");
  }
  detail::time_pause(detail::current_time_driver());
}

/// Lets the clock run again from where it stands.
inline void resume() { detail::time_resume(detail::current_time_driver()); }

/// Moves the clock forward by d, fires the timers now due and yields once
/// so that the woken tasks run:  co_await kyoto::time::advance(5s);
class [[nodiscard]] advance {
 public:
  using output_type = void;
  template <class Rep, class Period>
  explicit advance(std::chrono::duration<Rep, Period> d)
      : ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) {}

  poll_result<void> poll(context& cx) {
    if (done_) return poll_result<void>::ready();
    auto& driver = detail::current_time_driver();
    detail::time_advance(driver, ns_);
    detail::time_process(driver);
    done_ = true;
    cx.waker().wake_by_ref();
    return pending;
  }

 private:
  long long ns_;
  bool done_ = false;
};

}  // namespace kyoto::time
