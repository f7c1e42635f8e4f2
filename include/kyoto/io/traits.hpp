// The reader and writer concepts that sockets, files, pipes and adapters
// implement (Tokio's AsyncRead, AsyncWrite and AsyncBufRead).
#pragma once

#include <concepts>
#include <cstddef>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include "kyoto/core/context.hpp"
#include "kyoto/core/poll.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::io {

/// poll_read(cx, buf) fills some of buf.unfilled() and returns ready (no
/// bytes added while buf had room = end of stream), or registers cx's
/// waker and returns pending.
template <class R>
concept async_read = requires(std::remove_reference_t<R>& r, context& cx, read_buf& buf) {
  { r.poll_read(cx, buf) } -> std::same_as<poll_result<result<void>>>;
};

/// A reader that can tell how many bytes are left before its end (a file:
/// its size at open minus what was read), or nullopt. Only a hint (the
/// stream may end sooner or later): read_to_end reserves that much room at
/// once instead of growing the container geometrically (which copies what
/// was read and touches fresh memory at every step).
template <class R>
concept has_read_size_hint = requires(const std::remove_reference_t<R>& r) {
  { r.read_size_hint() } -> std::same_as<std::optional<std::size_t>>;
};

/// A reader that can append up to n bytes to a byte vector in one go,
/// handing over a buffer of its own when the vector is empty (fs::file:
/// one blocking-pool job, no copy). Same readiness contract as poll_read:
/// nothing appended with n > 0 = end of stream. read_to_end uses it for a
/// hinted read into an empty std::vector<std::byte>.
template <class R>
concept has_read_into_vec = requires(std::remove_reference_t<R>& r, context& cx,
                                     std::vector<std::byte>& out, std::size_t n) {
  { r.poll_read_into_vec(cx, out, n) } -> std::same_as<poll_result<result<void>>>;
};

/// poll_write(cx, bytes) accepts some bytes (ready with how many) or
/// returns pending; poll_flush pushes buffered bytes out; poll_shutdown
/// flushes and ends the stream for the peer.
template <class W>
concept async_write =
    requires(std::remove_reference_t<W>& w, context& cx, std::span<const std::byte> bytes) {
      { w.poll_write(cx, bytes) } -> std::same_as<poll_result<result<std::size_t>>>;
      { w.poll_flush(cx) } -> std::same_as<poll_result<result<void>>>;
      { w.poll_shutdown(cx) } -> std::same_as<poll_result<result<void>>>;
    };

/// A reader with its own buffer: poll_fill_buf exposes buffered bytes
/// (empty = end of stream), consume(n) marks n of them used.
template <class B>
concept async_buf_read = requires(std::remove_reference_t<B>& b, context& cx, std::size_t n) {
  { b.poll_fill_buf(cx) } -> std::same_as<poll_result<result<std::span<const std::byte>>>>;
  b.consume(n);
};

}  // namespace kyoto::io
