// io::pipe_reader / io::pipe_writer: the ends of a non-blocking pipe on the
// I/O driver (what a child process's piped stdio is).
//   auto p = kyoto::io::pipe();          // io::result<pair<pipe_reader, pipe_writer>>
//   co_await kyoto::io::write_all(p->second, "x");
// A write to a pipe whose reader is gone fails with std::errc::broken_pipe
// (SIGPIPE is ignored by runtimes with I/O). Cancel safety: reads and
// writes are cancel safe.
#pragma once

#include <cstddef>
#include <span>
#include <utility>

#include "kyoto/io/detail/io_source.hpp"
#include "kyoto/io/read_buf.hpp"

namespace kyoto::io {

class pipe_reader {
 public:
  pipe_reader() noexcept = default;
  pipe_reader(pipe_reader&&) noexcept = default;
  pipe_reader& operator=(pipe_reader&&) noexcept = default;
  /// Adopts a pipe's read end (made non-blocking here).
  static io::result<pipe_reader> from_fd(int fd);

  poll_result<io::result<void>> poll_read(context& cx, read_buf& buf);
  int fd() const noexcept { return src_.fd(); }

 private:
  explicit pipe_reader(detail::io_source s) noexcept : src_(std::move(s)) {}
  detail::io_source src_;
};

class pipe_writer {
 public:
  pipe_writer() noexcept = default;
  pipe_writer(pipe_writer&&) noexcept = default;
  pipe_writer& operator=(pipe_writer&&) noexcept = default;
  /// Adopts a pipe's write end (made non-blocking here).
  static io::result<pipe_writer> from_fd(int fd);

  poll_result<io::result<std::size_t>> poll_write(context& cx, std::span<const std::byte> bytes);
  /// Writes several buffers with one writev.
  poll_result<io::result<std::size_t>> poll_write_vectored(
      context& cx, std::span<const std::span<const std::byte>> bufs);
  poll_result<io::result<void>> poll_flush(context&) { return io::result<void>(); }
  /// Closes the write end: the reader sees the end of the stream.
  poll_result<io::result<void>> poll_shutdown(context&) {
    src_.close();
    return io::result<void>();
  }
  int fd() const noexcept { return src_.fd(); }

 private:
  explicit pipe_writer(detail::io_source s) noexcept : src_(std::move(s)) {}
  detail::io_source src_;
};

/// A new pipe, both ends registered with the current runtime's I/O driver.
io::result<std::pair<pipe_reader, pipe_writer>> pipe();

}  // namespace kyoto::io
