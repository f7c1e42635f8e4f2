// parker: one thread sleeps, any thread wakes it; no wake-up is lost.
//
// state_ is the only field. EMPTY (0): no token. NOTIFIED (1): a token is
// waiting to be consumed. PARKED (UINT32_MAX, i.e. -1): the owner is asleep
// or about to sleep in futex_wait.
//   park():   EMPTY -> PARKED by fetch_sub, or NOTIFIED -> EMPTY (returns at
//             once). While PARKED, sleep in futex_wait(PARKED); on each
//             return try NOTIFIED -> EMPTY.
//   unpark(): swap in NOTIFIED; only if the old value was PARKED is there a
//             sleeper to wake, so futex_wake is called only then.
// No lost wake-up: unpark's swap and park's fetch_sub/compare_exchange are
// read-modify-writes on one word, so one of them sees the other; futex_wait
// re-checks the word in the kernel before sleeping. unpark is release and
// park's successful transitions are acquire, so what the waker wrote before
// unpark is visible after park returns.
#pragma once

#include <chrono>
#include <cstdint>

#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {

class parker {
 public:
  /// Blocks until unpark() was called since the last return (or returns now).
  void park() noexcept;
  /// As park(), but returns after `timeout` at the latest.
  void park_for(std::chrono::nanoseconds timeout) noexcept;
  /// Wakes the owner, or lets its next park() return immediately.
  void unpark() noexcept;

  /// Sets what unpark() calls to wake an owner that sleeps in a driver
  /// (before any thread uses the parker).
  void bind_driver(void (*wake)(void*) noexcept, void* ctx) noexcept {
    driver_wake_ = wake;
    driver_ctx_ = ctx;
  }
  /// Parks inside `turn()` (a driver's blocking wait, which driver_wake
  /// interrupts) unless a token is already there.
  template <class Turn>
  void park_driving(Turn&& turn) {
    std::uint32_t expected = empty;
    if (!state_.compare_exchange_strong(expected, parked_driver, std::memory_order_acq_rel)) {
      state_.exchange(empty, std::memory_order_acquire);  // consume the token
      return;
    }
    turn();
    state_.exchange(empty, std::memory_order_acquire);
  }

 private:
  static constexpr std::uint32_t empty = 0;
  static constexpr std::uint32_t notified = 1;
  static constexpr std::uint32_t parked = UINT32_MAX;
  static constexpr std::uint32_t parked_driver = UINT32_MAX - 1;
  atomic<std::uint32_t> state_{empty};
  void (*driver_wake_)(void*) noexcept = nullptr;
  void* driver_ctx_ = nullptr;
};

}  // namespace kyoto::detail
