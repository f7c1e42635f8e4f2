// interval: ticks at a fixed period.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>

#include "kyoto/core/future.hpp"
#include "kyoto/time/sleep.hpp"

namespace kyoto {

/// What an interval does when ticks were missed (the task was late):
/// burst fires the missed ticks back to back, delay restarts the period
/// from now, skip jumps to the next tick on the original schedule.
enum class missed_tick_behavior { burst, delay, skip };

/// The first tick completes at once, then one tick per period:
///   kyoto::interval iv(100ms);
///   for (;;) { co_await iv.tick(); poll_sensors(); }
class interval {
 public:
  template <class Rep, class Period>
  explicit interval(std::chrono::duration<Rep, Period> period)
      : interval(instant::now(), std::chrono::duration_cast<instant::duration>(period)) {}
  /// First tick at `start`, then every `period`.
  interval(instant start, instant::duration period) : next_(start), period_(period) {
    if (period.count() <= 0)
      throw std::invalid_argument("kyoto::interval: period must be positive");
  }
  interval(interval&&) = default;

  void set_missed_tick_behavior(missed_tick_behavior b) noexcept { behavior_ = b; }
  missed_tick_behavior get_missed_tick_behavior() const noexcept { return behavior_; }
  instant::duration period() const noexcept { return period_; }

  /// The next tick is one period from now.
  void reset() {
    next_ = instant::now() + period_;
    if (sleep_) sleep_->reset(next_);
  }

  /// Completes at the next tick with its scheduled instant.
  /// Cancel safe: dropping a pending tick() loses no tick.
  class [[nodiscard]] tick_future {
   public:
    using output_type = instant;
    explicit tick_future(interval& iv) noexcept : iv_(&iv) {}
    poll_result<instant> poll(context& cx) { return iv_->poll_tick(cx); }

   private:
    interval* iv_;
  };
  tick_future tick() noexcept { return tick_future(*this); }

  /// An interval is a stream of tick instants that never ends.
  using item_type = instant;
  poll_result<std::optional<instant>> poll_next(context& cx) {
    auto r = poll_tick(cx);
    if (r.is_pending()) return pending;
    return std::optional<instant>(r.value());
  }

  /// For use as a stream and by tick_future.
  poll_result<instant> poll_tick(context& cx) {
    if (!sleep_) {
      sleep_.emplace(sleep::until(next_));
    }
    if (sleep_->poll(cx).is_pending()) return pending;
    instant scheduled = next_;
    instant now = instant::now();
    switch (behavior_) {
      case missed_tick_behavior::burst:
        next_ = scheduled + period_;
        break;
      case missed_tick_behavior::delay:
        next_ = now + period_;
        break;
      case missed_tick_behavior::skip: {
        auto late = now - scheduled;
        auto periods = late / period_ + 1;
        next_ = scheduled + period_ * periods;
        break;
      }
    }
    if (behavior_ != missed_tick_behavior::burst && next_ <= now) next_ = now + period_;
    sleep_->reset(next_);
    return scheduled;
  }

 private:
  instant next_;
  instant::duration period_;
  missed_tick_behavior behavior_ = missed_tick_behavior::burst;
  std::optional<sleep> sleep_;
};

}  // namespace kyoto
