// io::stdin() / io::stdout() / io::stderr(): the process's standard
// streams as an async reader and writers (Tokio's io::stdin, Stdout...).
//   auto out = kyoto::io::stdout();
//   co_await kyoto::io::write_all(out, "hello\n");
//   co_await kyoto::io::flush(out);         // written, or the write's error
//   auto lines = kyoto::io::buf_reader(kyoto::io::stdin()).lines();
//
// A standard stream may be a terminal or a file, which epoll cannot wait
// on, and its open file description is shared with other processes (the
// shell), so kyoto never changes its flags. At its first operation a
// stream object looks at the descriptor:
//  - already non-blocking (someone set O_NONBLOCK) and pollable (a pipe, a
//    socket, a terminal): it waits on the I/O driver like a socket (on a
//    duplicate of the descriptor), so no pool thread is held while it
//    waits; writes are then direct, as on a pipe;
//  - otherwise (the usual case, as Tokio always does) every operation runs
//    on the runtime's blocking pool - never on a worker - as a blocking
//    read / write of descriptor 0, 1 or 2 (kyoto::spawn_blocking). Each
//    stream object has one operation in flight and one buffer (at most
//    2 MiB per operation), as Tokio's do:
//    - stdin_stream reads into its buffer and hands bytes out of it;
//    - a write is copied into the buffer and the poll_write is ready at
//      once while a pool thread writes it; the next write (or flush) waits
//      for that one, so the writes of one stream object reach the
//      descriptor in order, and a write's error is returned by the next
//      poll_write or poll_flush. Flush before the program ends.
// These write the descriptor directly: C's stdio and std::cout buffers are
// separate (flush them before mixing). Two stream objects for one
// descriptor order their operations only against themselves.
//
// Cancel safety: reads are cancel safe while the stdin_stream lives (bytes
// read stay in its buffer); a read in flight cannot be interrupted, so a
// runtime shut down while one waits for input waits for it too (as
// Tokio's; runtime::shutdown_timeout bounds that). A dropped write loses
// nothing once poll_write was ready. Outside a runtime, operations throw
// std::runtime_error.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "kyoto/core/context.hpp"
#include "kyoto/core/poll.hpp"
#include "kyoto/io/detail/io_source.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/result.hpp"
#include "kyoto/runtime/join_handle.hpp"

namespace kyoto::io {

namespace detail {

/// What one blocking operation gives back: its buffer and its outcome.
struct blocking_io_output {
  blocking_io_output() noexcept = default;
  blocking_io_output(std::vector<std::byte> b, io::result<std::size_t> r) noexcept
      : buf(std::move(b)), n(std::move(r)) {}
  std::vector<std::byte> buf;
  io::result<std::size_t> n;
};

/// A standard descriptor: driven from the blocking pool, one operation at
/// a time (Tokio's io::Blocking), or through the I/O driver when it is
/// already non-blocking. Not thread-safe: one task uses it at a time.
class blocking_fd {
 public:
  static constexpr std::size_t max_buf = 2 * 1024 * 1024;

  explicit blocking_fd(int fd) noexcept : fd_(fd) {}
  blocking_fd(blocking_fd&&) noexcept = default;
  blocking_fd& operator=(blocking_fd&&) noexcept = default;

  poll_result<io::result<void>> poll_read(context& cx, read_buf& out);
  poll_result<io::result<std::size_t>> poll_write(context& cx, std::span<const std::byte> bytes);
  /// Waits for the write in flight.
  poll_result<io::result<void>> poll_flush(context& cx);
  int fd() const noexcept { return fd_; }

 private:
  // Waits for the operation in flight and takes its buffer back.
  poll_result<io::result<std::size_t>> poll_op(context& cx);
  // At the first operation: non-blocking through the driver, or blocking.
  bool nonblocking(interest i);

  enum class mode : unsigned char { unknown, blocking, nonblocking };
  int fd_;
  mode mode_ = mode::unknown;
  io_source nb_;                // mode::nonblocking: a registered duplicate of fd_
  std::vector<std::byte> buf_;  // reads: buf_[pos_, size) not yet handed out
  std::size_t pos_ = 0;
  join_handle<blocking_io_output> op_;  // valid while an operation is in flight
};

}  // namespace detail

/// Standard input: async_read.
class stdin_stream {
 public:
  stdin_stream() noexcept : io_(0) {}
  poll_result<io::result<void>> poll_read(context& cx, read_buf& buf) {
    return io_.poll_read(cx, buf);
  }

 private:
  detail::blocking_fd io_;
};

/// Standard output: async_write (poll_shutdown flushes; the descriptor stays open).
class stdout_stream {
 public:
  stdout_stream() noexcept : io_(1) {}
  poll_result<io::result<std::size_t>> poll_write(context& cx, std::span<const std::byte> b) {
    return io_.poll_write(cx, b);
  }
  poll_result<io::result<void>> poll_flush(context& cx) { return io_.poll_flush(cx); }
  poll_result<io::result<void>> poll_shutdown(context& cx) { return io_.poll_flush(cx); }

 private:
  detail::blocking_fd io_;
};

/// Standard error: as stdout_stream, on descriptor 2.
class stderr_stream {
 public:
  stderr_stream() noexcept : io_(2) {}
  poll_result<io::result<std::size_t>> poll_write(context& cx, std::span<const std::byte> b) {
    return io_.poll_write(cx, b);
  }
  poll_result<io::result<void>> poll_flush(context& cx) { return io_.poll_flush(cx); }
  poll_result<io::result<void>> poll_shutdown(context& cx) { return io_.poll_flush(cx); }

 private:
  detail::blocking_fd io_;
};

/// A handle to descriptor 0 (cheap: no system call until used).
inline stdin_stream stdin() noexcept { return stdin_stream(); }
/// A handle to descriptor 1.
inline stdout_stream stdout() noexcept { return stdout_stream(); }
/// A handle to descriptor 2.
inline stderr_stream stderr() noexcept { return stderr_stream(); }

}  // namespace kyoto::io
