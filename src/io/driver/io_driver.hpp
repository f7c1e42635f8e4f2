// io_driver: one epoll instance per runtime, the eventfd that wakes the
// thread parked in epoll_wait, and the set of readiness records.
//
// Threads: turn() is called by one thread at a time (the parked worker
// that holds the scheduler's driver lock, or the current-thread driver);
// events_ belongs to that thread. add/remove/shutdown may run on any
// thread; lock_ guards live_, release_ and shut_down_. unpark() may run on
// any thread at any time (a write to the eventfd).
// Record lifetime: remove() takes the record out of epoll (EPOLL_CTL_DEL),
// shuts it down (waking its waiters with an error) and queues it on
// release_; turn() frees the queue before its epoll_wait: an event for a
// record can only come from an epoll_wait that began before its DEL, and
// every such call has been dispatched by the time the next turn starts.
// After shutdown() no turn comes, so remove() frees at once.
// The full argument, and why no wake-up is lost: docs/design/io-driver.md.
#pragma once

#include <sys/epoll.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "io/driver/scheduled_io.hpp"
#include "kyoto/detail/intrusive_list.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::detail {

class io_driver : public std::enable_shared_from_this<io_driver> {
 public:
  /// Throws std::system_error if the epoll instance or eventfd cannot be made.
  io_driver();
  ~io_driver();
  io_driver(const io_driver&) = delete;
  io_driver& operator=(const io_driver&) = delete;

  /// Registers fd edge-triggered for `interest_mask` (io::detail::read_mask
  /// and/or write_mask).
  io::result<scheduled_io*> add(int fd, std::uint8_t interest_mask);
  /// Deregisters (before the owner closes fd) and releases the record.
  void remove(scheduled_io* io, int fd) noexcept;

  /// Waits for events at most `timeout` (nullopt: until woken; zero: only
  /// collects what is there) and wakes their waiters. Returns the number
  /// of descriptor events dispatched.
  std::size_t turn(std::optional<std::chrono::nanoseconds> timeout);
  /// Makes a turn that is in epoll_wait return (or the next one at once).
  void unpark() noexcept;
  /// Shuts every record down (their waiters see driver_shutdown).
  void shutdown() noexcept;

  /// True once per driver: the caller starts this runtime's signal watcher.
  bool claim_signal_watch() noexcept {
    return !signal_watch_.exchange(true, std::memory_order_acq_rel);
  }

  /// Whether any descriptor is registered (busy workers then poll).
  bool has_sources() const noexcept { return sources_.load(std::memory_order_relaxed) != 0; }
  std::size_t source_count() const noexcept { return sources_.load(std::memory_order_relaxed); }

 private:
  void free_released() noexcept;

  int epfd_ = -1;
  int evfd_ = -1;
  mutex lock_;
  intrusive_list live_;                 // guarded by lock_
  std::vector<scheduled_io*> release_;  // guarded by lock_
  bool shut_down_ = false;              // guarded by lock_
  atomic<std::size_t> sources_{0};
  atomic<bool> signal_watch_{false};
  std::array<epoll_event, 256> events_{};  // the turning thread's
};

/// The current runtime's driver; throws std::runtime_error with a message
/// outside a runtime or when I/O is not enabled on it.
std::shared_ptr<io_driver> current_io_driver();

}  // namespace kyoto::detail
