// The time driver: a timing wheel behind a mutex, a clock that tests can
// pause, and the hook that lets the thread parked on the driver be woken
// when an earlier deadline is armed.
//
// lock_ guards the wheel and every registered entry's links and waker.
// next_ is a lower bound of the wheel's next expiration (written under
// lock_, read without it by the cheap "anything due?" check): arming lowers
// it, cancelling leaves it (a stale value only causes an early wake-up,
// after which process() recomputes it).
// sleeper_ is the parker of the thread that sleeps with the driver (the
// one whose park timeout is the next deadline); set before that thread
// computes its timeout under lock_, and read after an insert that moved
// the next deadline earlier (after lock_ is released). Either the sleeper
// computed its timeout after the insert (and sees the new deadline), or
// it had published itself before, and the inserter wakes it.
// Firing: under lock_, an expired entry is unlinked, marked `fired`
// (release) and its waker moved into a batch that is woken after unlock.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/detail/time/timer_entry.hpp"
#include "time/wheel/wheel.hpp"
#include "util/parker.hpp"

namespace kyoto::detail {

class time_driver {
 public:
  time_driver();

  std::int64_t now_ns() const noexcept;
  std::uint64_t now_ms() const noexcept;
  std::int64_t origin_ns() const noexcept { return origin_ns_; }

  void register_entry(timer_entry& e, const kyoto::waker& w);
  bool update_waker(timer_entry& e, const kyoto::waker& w);
  void deregister(timer_entry& e) noexcept;
  bool reset(timer_entry& e, std::uint64_t deadline_ms);

  /// Fires every entry due by now; returns how many fired.
  std::size_t process();
  /// How long the parked thread may sleep: until the next deadline.
  std::optional<std::chrono::nanoseconds> park_timeout() const;
  bool anything_due() const noexcept;
  std::size_t pending() const;

  void set_sleeper(parker* p) noexcept { sleeper_.store(p, std::memory_order_seq_cst); }

  // Test clock.
  void pause();
  void resume();
  bool paused() const noexcept { return paused_.load(std::memory_order_acquire); }
  void advance(std::chrono::nanoseconds d);
  /// Paused and idle: jump to the next deadline. False if no timer exists.
  bool auto_advance();

 private:
  std::int64_t real_ns() const noexcept;
  void note_next_locked() noexcept;
  bool lower_next_locked(std::uint64_t deadline_ms) noexcept;

  const std::int64_t origin_ns_;
  mutable mutex lock_;
  timer_wheel wheel_;  // guarded by lock_
  atomic<std::uint64_t> next_{UINT64_MAX};
  atomic<parker*> sleeper_{nullptr};
  // Clock: now = paused ? frozen_ns_ : real - origin + shift_ns_.
  atomic<bool> paused_{false};
  atomic<std::int64_t> frozen_ns_{0};
  atomic<std::int64_t> shift_ns_{0};
};

}  // namespace kyoto::detail
