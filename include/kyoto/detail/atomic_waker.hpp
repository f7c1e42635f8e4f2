// atomic_waker: one waker slot that one task registers into and any thread
// wakes, without a lock (the futures crate's AtomicWaker plays this role).
//
// state_: 0 idle, REGISTERING while the owner writes the slot, WAKING while
// a waker takes it. register_waker takes idle -> REGISTERING, writes the
// slot, then REGISTERING -> idle; if a wake arrived meanwhile (WAKING was
// or-ed in), the registerer itself takes the slot and wakes it. wake
// or-s WAKING in; if the state was idle it owns the slot: takes the waker,
// clears WAKING, wakes it. If it was REGISTERING, the registerer wakes; if
// already WAKING, another waker is on it. So a wake that races with a
// registration is never lost. acq_rel on every transition publishes the
// slot.
#pragma once

#include <cstdint>
#include <utility>

#include "kyoto/core/waker.hpp"
#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {

class atomic_waker {
 public:
  void register_waker(const waker& w) {
    std::uint8_t expected = idle;
    if (!state_.compare_exchange_strong(expected, registering, std::memory_order_acquire)) {
      // A wake is in progress: make sure the task runs again.
      w.wake_by_ref();
      return;
    }
    if (!slot_.will_wake(w)) slot_ = w;
    expected = registering;
    if (!state_.compare_exchange_strong(expected, idle, std::memory_order_acq_rel)) {
      // Woken while registering: we hold the slot, wake it ourselves.
      waker taken = std::move(slot_);
      state_.store(idle, std::memory_order_release);
      taken.wake();
    }
  }

  void wake() {
    if (state_.fetch_or(waking, std::memory_order_acq_rel) == idle) {
      waker taken = std::move(slot_);
      state_.fetch_and(static_cast<std::uint8_t>(~waking), std::memory_order_release);
      taken.wake();
    }
  }

 private:
  static constexpr std::uint8_t idle = 0;
  static constexpr std::uint8_t registering = 1;
  static constexpr std::uint8_t waking = 2;
  atomic<std::uint8_t> state_{idle};
  waker slot_;
};

}  // namespace kyoto::detail
