// io_source: an owned non-blocking descriptor registered with the I/O
// driver, and the retry loop every socket operation shares (Tokio's
// PollEvented): wait for readiness, try the system call, and on EAGAIN
// clear exactly the readiness that was observed and wait again.
#pragma once

#include <cerrno>
#include <cstddef>
#include <span>
#include <system_error>
#include <type_traits>
#include <utility>

#include "kyoto/io/detail/registration.hpp"
#include "kyoto/io/read_buf.hpp"

namespace kyoto::io::detail {

/// Closes its descriptor when destroyed.
class owned_fd {
 public:
  owned_fd() noexcept = default;
  explicit owned_fd(int fd) noexcept : fd_(fd) {}
  owned_fd(owned_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  owned_fd& operator=(owned_fd&& o) noexcept {
    if (this != &o) {
      close();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~owned_fd() { close(); }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void close() noexcept;

 private:
  int fd_ = -1;
};

inline std::error_code last_error() noexcept { return {errno, std::system_category()}; }
inline bool would_block(int e) noexcept { return e == EAGAIN || e == EWOULDBLOCK; }

class io_source {
 public:
  io_source() noexcept = default;
  /// Takes fd (non-blocking) and registers it; on failure fd is closed.
  static io::result<io_source> adopt(int fd, interest i = interest::both);

  int fd() const noexcept { return fd_.get(); }
  bool is_open() const noexcept { return fd_.get() >= 0; }
  registration& reg() noexcept { return reg_; }

  /// Waits until `d` is ready and runs op() (a system call returning -1
  /// with errno on failure), retrying after EAGAIN and EINTR. A result
  /// greater than 0 but less than `drained_below` means the descriptor is
  /// drained (a short read from a stream socket or pipe): its readiness is
  /// cleared at once, so the next call waits for the next edge instead of
  /// paying a system call that fails with EAGAIN. Bytes arriving meanwhile
  /// bump the tick and the clear leaves them alone.
  template <class Op>
  poll_result<io::result<std::size_t>> poll_io(context& cx, direction d, Op&& op,
                                               std::size_t drained_below = 0) {
    for (;;) {
      auto ev = reg_.poll_ready(cx, d);
      if (ev.is_pending()) return pending;
      if (!ev.value()) return io::result<std::size_t>(kyoto::err(ev.value().error()));
      auto n = op();
      if (n >= 0) {
        if (n > 0 && static_cast<std::size_t>(n) < drained_below) reg_.clear_readiness(*ev.value());
        return io::result<std::size_t>(static_cast<std::size_t>(n));
      }
      int e = errno;
      if (would_block(e)) {
        reg_.clear_readiness(*ev.value());
        continue;
      }
      if (e == EINTR) continue;
      return io::result<std::size_t>(kyoto::err(std::error_code(e, std::system_category())));
    }
  }

  /// Runs op() once without waiting; EAGAIN clears the readiness it saw
  /// and is returned as std::errc::operation_would_block.
  template <class Op>
  io::result<std::size_t> try_io(direction d, Op&& op) {
    const ready_event seen = reg_.snapshot(d);  // before the call, as a poll would
    for (;;) {
      auto n = op();
      if (n >= 0) return static_cast<std::size_t>(n);
      int e = errno;
      if (e == EINTR) continue;
      if (would_block(e)) {
        reg_.clear_readiness(seen);
        return kyoto::err(std::make_error_code(std::errc::operation_would_block));
      }
      return kyoto::err(std::error_code(e, std::system_category()));
    }
  }

  // Stream operations on the descriptor (recv/send for sockets).
  poll_result<io::result<void>> poll_read(context& cx, read_buf& buf);
  poll_result<io::result<std::size_t>> poll_write(context& cx, std::span<const std::byte> bytes);
  poll_result<io::result<std::size_t>> poll_peek(context& cx, read_buf& buf);
  /// Writes several buffers in one call: sendmsg (MSG_NOSIGNAL) on a
  /// socket, writev on another descriptor; empty buffers are skipped and at
  /// most 64 go into one call. Ready with 0 when every buffer is empty.
  poll_result<io::result<std::size_t>> poll_write_vectored(
      context& cx, std::span<const std::span<const std::byte>> bufs, bool socket = true);

  /// Deregisters, then closes.
  void close() noexcept {
    reg_.reset();
    fd_.close();
  }
  /// Deregisters and gives the descriptor back (still open).
  int release() noexcept {
    reg_.reset();
    return fd_.release();
  }

 private:
  owned_fd fd_;  // declared first: destroyed after reg_ deregisters
  registration reg_;
};

}  // namespace kyoto::io::detail

namespace kyoto::io::detail {

/// Waits until a source's direction is ready (one waiter per direction):
/// io::result<ready_event>. Used by connect.
class [[nodiscard]] direction_ready {
 public:
  using output_type = io::result<ready_event>;
  direction_ready(registration& reg, direction d) noexcept : reg_(&reg), d_(d) {}
  poll_result<output_type> poll(context& cx) { return reg_->poll_ready(cx, d_); }

 private:
  registration* reg_;
  direction d_;
};

/// Waits for readiness with its own waiter node (any number of waiters):
/// io::result<void>. Cancel safe. The registration must outlive it.
class [[nodiscard]] readiness_wait {
 public:
  using output_type = io::result<void>;
  readiness_wait(registration& reg, std::uint8_t mask) noexcept : reg_(&reg) {
    node_.interest = mask;
  }
  readiness_wait(readiness_wait&& o) noexcept : reg_(o.reg_) { node_.interest = o.node_.interest; }
  readiness_wait& operator=(readiness_wait&&) = delete;
  ~readiness_wait() {
    if (queued_) reg_->cancel_wait(node_);
  }
  poll_result<output_type> poll(context& cx) {
    auto r = reg_->poll_wait(node_, queued_, cx);
    if (r.is_pending()) return pending;
    if (!r.value()) return output_type(kyoto::err(r.value().error()));
    return output_type();
  }

 private:
  registration* reg_;
  io_waiter node_;
  bool queued_ = false;
};

}  // namespace kyoto::io::detail

namespace kyoto::io::detail {

/// A future whose poll is `f(cx)` (returning a poll_result). F must be
/// trivially destructible (it captures pointers and spans only): g++ 12
/// destroys the captures of a closure made inside a co_await expression
/// twice.
template <class F>
class [[nodiscard]] poll_fn_future {
  static_assert(std::is_trivially_destructible_v<F>, "poll_fn_future: capture pointers only");

 public:
  using output_type = typename std::invoke_result_t<F&, context&>::value_type;
  explicit poll_fn_future(F f) noexcept : f_(f) {}
  poll_result<output_type> poll(context& cx) { return f_(cx); }

 private:
  F f_;
};

template <class F>
poll_fn_future<F> poll_fn(F f) noexcept {
  return poll_fn_future<F>(f);
}

}  // namespace kyoto::io::detail
