// scheduled_io: the readiness record of one registered descriptor (Tokio's
// ScheduledIo). docs/design/io-driver.md has the whole argument.
//
// readiness_ (atomic word): bits 0-4 ready (readable, writable,
// read_closed, write_closed, error), bit 7 shutdown, bits 16-31 tick.
//   driver, per event: RMW that ors the bits in and bumps the tick
//   (acq_rel), then takes lock_ and collects the matching wakers.
//   poller: load (acquire); if not ready, take lock_, store its waker,
//   load again. Both sides touch readiness_ before lock_, so either the
//   driver finds the waker or the poller's second load sees the bits.
//   clear (after EAGAIN): CAS that clears the observed bits only if the tick
//   is the one observed; closed/error bits are never cleared.
//   shutdown (deregistered, or driver shut down): set under lock_ with every
//   waiter taken and woken; pollers then answer driver_shutdown.
// lock_ guards reader_, writer_ and waiters_. The list_node base links the
// record into the driver's live list (guarded by the driver's lock).
// Lifetime: allocated by io_driver::add, freed by the driver at the start of
// the turn after deregistration (no epoll_wait can still report it then).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "kyoto/core/waker.hpp"
#include "kyoto/detail/intrusive_list.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/io/detail/registration.hpp"

namespace kyoto::detail {

struct scheduled_io : list_node {
  static constexpr std::uint32_t shutdown_bit = 0x80;
  static constexpr std::uint32_t ready_bits = 0x1f;
  static std::uint16_t tick_of(std::uint32_t word) noexcept {
    return static_cast<std::uint16_t>(word >> 16);
  }

  /// Driver: ors `bits` in, bumps the tick, wakes the matching waiters.
  void set_readiness_and_wake(std::uint8_t bits);
  /// Marks the record shut down and wakes every waiter.
  void shutdown_and_wake();
  /// As shutdown_and_wake, but hands the wakers to the caller (who wakes
  /// them once it holds no lock).
  void shutdown_take_all(std::vector<waker>& out);
  void clear_readiness(io::detail::ready_event ev) noexcept;

  std::size_t take_wakers_locked(std::uint8_t bits, bool all, raw_waker* out, std::size_t cap,
                                 bool& more) noexcept;
  void wake_matching(std::uint8_t bits, bool all);

  atomic<std::uint32_t> readiness{0};
  mutex lock;
  waker reader;                 // guarded by lock
  waker writer;                 // guarded by lock
  intrusive_list waiters;       // of io::detail::io_waiter, guarded by lock
  std::uint32_t interest_mask;  // what was registered; immutable
};

}  // namespace kyoto::detail
