// registration: a descriptor's place in the runtime's I/O driver, as the
// public socket and async_fd templates see it (Tokio's Registration).
//
// The protocol (readiness bits, the tick, why no wake-up is lost, when the
// record is freed) is written down in docs/design/io-driver.md and at the
// top of src/io/driver/scheduled_io.hpp. In short: poll_ready / poll_wait
// answer ready with the (tick, bits) they observed; after the system call
// answers EAGAIN the caller hands that observation to clear_readiness,
// which clears it only if no event arrived meanwhile.
#pragma once

#include <cstdint>
#include <memory>

#include "kyoto/core/context.hpp"
#include "kyoto/core/poll.hpp"
#include "kyoto/core/waker.hpp"
#include "kyoto/detail/intrusive_list.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::detail {
class io_driver;
struct scheduled_io;
}  // namespace kyoto::detail

namespace kyoto::io {

/// What a registration waits for (Tokio's Interest):
///   kyoto::io::async_fd<int>::create(fd, kyoto::io::interest::readable);
enum class interest : std::uint8_t { readable = 1, writable = 2, both = 3 };

namespace detail {

/// Readiness bits of a record (the low byte of its readiness word).
inline constexpr std::uint8_t ready_readable = 1;
inline constexpr std::uint8_t ready_writable = 2;
inline constexpr std::uint8_t ready_read_closed = 4;
inline constexpr std::uint8_t ready_write_closed = 8;
inline constexpr std::uint8_t ready_error = 16;
inline constexpr std::uint8_t read_mask = ready_readable | ready_read_closed | ready_error;
inline constexpr std::uint8_t write_mask = ready_writable | ready_write_closed | ready_error;

enum class direction : std::uint8_t { read, write };

inline constexpr std::uint8_t mask_of(direction d) noexcept {
  return d == direction::read ? read_mask : write_mask;
}
inline constexpr std::uint8_t mask_of(interest i) noexcept {
  std::uint8_t m = 0;
  if (static_cast<std::uint8_t>(i) & 1) m |= read_mask;
  if (static_cast<std::uint8_t>(i) & 2) m |= write_mask;
  return m;
}

/// What one poll saw: the record's tick and the ready bits it matched.
struct ready_event {
  std::uint16_t tick = 0;
  std::uint8_t ready = 0;
};

/// A waiting readiness future's node, linked into the record's waiter list
/// under the record's lock (so waiting allocates nothing).
struct io_waiter : kyoto::detail::list_node {
  kyoto::waker w;
  std::uint8_t interest = 0;  // ready bits it waits for
};

class registration {
 public:
  registration() noexcept = default;
  /// Registers fd (non-blocking, owned by the caller) with the current
  /// runtime's driver. Throws std::runtime_error outside a runtime or on a
  /// runtime built without enable_io(); an epoll error is returned.
  static io::result<registration> create(int fd, interest i);

  registration(registration&& o) noexcept;
  registration& operator=(registration&& o) noexcept;
  /// Deregisters (EPOLL_CTL_DEL); the caller closes the descriptor after.
  ~registration();

  bool is_registered() const noexcept { return io_ != nullptr; }
  /// Deregisters now (before the owner closes the descriptor).
  void reset() noexcept;

  /// One waiter per direction (the task polling a read or a write): ready
  /// with what it saw, or pending with cx's waker stored. Spends a unit of
  /// the cooperative budget when ready.
  poll_result<io::result<ready_event>> poll_ready(context& cx, direction d);
  /// Any number of waiters (readiness futures), each with its own node.
  /// `queued` tells whether the node is linked (set by this call).
  poll_result<io::result<ready_event>> poll_wait(io_waiter& node, bool& queued, context& cx);
  /// Unlinks a node that poll_wait queued.
  void cancel_wait(io_waiter& node) noexcept;
  /// Clears what `ev` observed, unless an event arrived since.
  void clear_readiness(ready_event ev) noexcept;
  /// The bits set now.
  std::uint8_t readiness() const noexcept;
  /// The tick and the bits of `d` now (what a try_ call later clears).
  ready_event snapshot(direction d) const noexcept;

 private:
  registration(kyoto::detail::scheduled_io* io, std::shared_ptr<kyoto::detail::io_driver> d,
               int fd) noexcept
      : io_(io), driver_(std::move(d)), fd_(fd) {}

  kyoto::detail::scheduled_io* io_ = nullptr;
  std::shared_ptr<kyoto::detail::io_driver> driver_;
  int fd_ = -1;
};

}  // namespace detail
}  // namespace kyoto::io
