// The reader and writer concepts that sockets, files, pipes and adapters
// implement (Tokio's AsyncRead, AsyncWrite and AsyncBufRead).
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <type_traits>

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
