// The intrusive timer entry that lives inside each sleep future, and the
// time driver operations it needs (implemented in src/time/).
#pragma once

#include <cstdint>

#include "kyoto/core/waker.hpp"
#include "kyoto/detail/intrusive_list.hpp"
#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {

class time_driver;

/// Guarded by the driver's lock, except `fired` (set with release by the
/// driver under its lock, read with acquire by the owner without it).
struct timer_entry : list_node {
  std::uint64_t deadline_ms = 0;  // in driver ticks (ms since its start)
  std::uint8_t level = 0;
  std::uint8_t slot = 0;
  bool registered = false;  // in the wheel
  atomic<bool> fired{false};
  kyoto::waker w;
};

/// The time driver of the current runtime; throws std::runtime_error with
/// a message outside a runtime or when the runtime has no timers enabled.
time_driver& current_time_driver();
/// Or null.
time_driver* current_time_driver_or_null() noexcept;

/// Milliseconds of the driver's clock now (paused clocks included).
std::uint64_t time_now_ms(time_driver& d) noexcept;
/// The driver's clock now, in nanoseconds since its start.
std::int64_t time_now_ns(time_driver& d) noexcept;
/// steady_clock nanoseconds of the driver's start.
std::int64_t time_origin_ns(time_driver& d) noexcept;
/// Inserts (or re-inserts, with a new deadline) the entry with waker w.
void time_register(time_driver& d, timer_entry& e, const kyoto::waker& w);
/// Updates the waker of a registered entry; false if it fired meanwhile.
bool time_update_waker(time_driver& d, timer_entry& e, const kyoto::waker& w);
/// Moves the entry to a new deadline. If it was armed (it still holds a
/// waker), it is re-armed at once; returns whether it is armed now.
bool time_reset(time_driver& d, timer_entry& e, std::uint64_t deadline_ms);
/// Whether the runtime's clock is paused (test clock).
bool time_paused(time_driver& d) noexcept;
void time_pause(time_driver& d);
void time_resume(time_driver& d);
void time_advance(time_driver& d, std::int64_t ns);
/// Fires whatever is due now.
void time_process(time_driver& d);
/// Whether the current runtime is a current-thread runtime.
bool current_runtime_is_current_thread() noexcept;
/// Removes the entry if registered.
void time_deregister(time_driver& d, timer_entry& e) noexcept;

}  // namespace kyoto::detail
