// io::duplex: a pair of connected in-memory streams (Tokio's io::duplex),
// for tests and for plumbing between tasks. What one end writes, the other
// reads; each direction buffers at most max_buf_size bytes, so a writer
// waits (pending) while the reader is behind.
//   auto [client, server] = kyoto::io::duplex(64 * 1024);
//   co_await kyoto::io::write_all(client, "PING\r\n");
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <utility>

#include "kyoto/core/context.hpp"
#include "kyoto/core/poll.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::io {

namespace detail {
struct pipe;
}

/// One end of a duplex pair: async_read and async_write. Dropping it ends
/// the peer's reads (after the buffered bytes) and fails the peer's writes
/// with std::errc::broken_pipe; poll_shutdown ends only the peer's reads.
class duplex_stream {
 public:
  /// poll_read and poll_write may run at once on two threads (each
  /// direction has its own lock).
  static constexpr bool concurrent_read_write = true;

  duplex_stream(duplex_stream&&) noexcept = default;
  duplex_stream& operator=(duplex_stream&& o) noexcept;
  ~duplex_stream();

  poll_result<result<void>> poll_read(context& cx, read_buf& buf);
  poll_result<result<std::size_t>> poll_write(context& cx, std::span<const std::byte> bytes);
  /// Takes as much of the slices, in order, as there is room for.
  poll_result<result<std::size_t>> poll_write_vectored(
      context& cx, std::span<const std::span<const std::byte>> slices);
  poll_result<result<void>> poll_flush(context& cx);
  poll_result<result<void>> poll_shutdown(context& cx);

 private:
  friend std::pair<duplex_stream, duplex_stream> duplex(std::size_t);
  duplex_stream(std::shared_ptr<detail::pipe> read, std::shared_ptr<detail::pipe> write) noexcept
      : read_(std::move(read)), write_(std::move(write)) {}
  void close() noexcept;

  std::shared_ptr<detail::pipe> read_;   // bytes the peer wrote
  std::shared_ptr<detail::pipe> write_;  // bytes for the peer
};

/// Two connected ends; max_buf_size (at least 1) bounds each direction.
std::pair<duplex_stream, duplex_stream> duplex(std::size_t max_buf_size);

}  // namespace kyoto::io
