// sleep / sleep_until: futures that complete at a deadline.
#pragma once

#include <chrono>
#include <cstdint>

#include "kyoto/core/future.hpp"
#include "kyoto/detail/time/timer_entry.hpp"
#include "kyoto/runtime/coop.hpp"
#include "kyoto/time/instant.hpp"

namespace kyoto {

/// Completes at its deadline:
///   co_await kyoto::sleep(std::chrono::milliseconds(50));
///   co_await kyoto::sleep_until(kyoto::instant::now() + 1s);
/// Its timer entry lives inside the future (no allocation); it is armed on
/// the first pending poll and removed when the future is destroyed.
/// Creating one outside a runtime with time enabled throws
/// std::runtime_error with a message. Never completes early; the deadline
/// is rounded up to the timer's 1 ms resolution.
/// Once polled, a sleep must not be moved (its entry is linked in the wheel).
class [[nodiscard]] sleep {
 public:
  using output_type = void;

  template <class Rep, class Period>
  explicit sleep(std::chrono::duration<Rep, Period> d)
      : sleep(instant::now() + (d.count() > 0 ? d : std::chrono::duration<Rep, Period>::zero()),
              0) {}
  static sleep until(instant deadline) { return sleep(deadline, 0); }

  sleep(sleep&& o) noexcept : driver_(o.driver_), deadline_(o.deadline_) {
    entry_.deadline_ms = o.entry_.deadline_ms;
  }
  sleep(const sleep&) = delete;
  sleep& operator=(const sleep&) = delete;
  ~sleep() {
    if (armed_) detail::time_deregister(*driver_, entry_);
  }

  poll_result<void> poll(context& cx) {
    if (entry_.fired.load(std::memory_order_acquire)) return poll_result<void>::ready();
    if (!armed_) {
      if (deadline_ <= driver_now()) return poll_result<void>::ready();
      if (!coop::poll_proceed(cx)) return pending;
      armed_ = true;
      detail::time_register(*driver_, entry_, cx.waker());
      return pending;
    }
    if (!detail::time_update_waker(*driver_, entry_, cx.waker())) {
      if (entry_.fired.load(std::memory_order_acquire)) return poll_result<void>::ready();
    }
    return pending;
  }

  instant deadline() const noexcept { return deadline_; }
  bool is_elapsed() const noexcept {
    return entry_.fired.load(std::memory_order_acquire) || deadline_ <= driver_now();
  }

  /// Moves the deadline (earlier or later), even while a task waits on it.
  void reset(instant deadline) {
    deadline_ = deadline;
    // Not entry_.deadline_ms = ...: while the entry is in the wheel its
    // deadline is the driver's (guarded by its lock, read by a worker that
    // fires timers); time_reset writes it under that lock.
    armed_ = detail::time_reset(*driver_, entry_, ticks_for(deadline));
  }

 private:
  sleep(instant deadline, int) : driver_(&detail::current_time_driver()), deadline_(deadline) {
    entry_.deadline_ms = ticks_for(deadline);
  }
  instant driver_now() const noexcept {
    return instant() + std::chrono::nanoseconds(detail::time_origin_ns(*driver_) +
                                                detail::time_now_ns(*driver_));
  }
  std::uint64_t ticks_for(instant deadline) const noexcept {
    std::int64_t rel = deadline.nanoseconds_since_epoch() - detail::time_origin_ns(*driver_);
    if (rel <= 0) return 0;
    return static_cast<std::uint64_t>(rel / 1'000'000 + (rel % 1'000'000 != 0));  // round up
  }

  detail::time_driver* driver_;
  instant deadline_;
  bool armed_ = false;
  detail::timer_entry entry_;
};

/// A sleep until `deadline`.
inline sleep sleep_until(instant deadline) { return sleep::until(deadline); }

}  // namespace kyoto
