// buf_writer<W>: a buffer in front of a writer (Tokio's BufWriter), so
// that many small writes become few large ones.
//   kyoto::io::buf_writer out(std::move(sock));          // 8 KiB
//   co_await kyoto::io::write_all(out, "HTTP/1.1 200 OK\r\n");
//   co_await kyoto::io::write_all(out, body);
//   co_await kyoto::io::flush(out);                       // now on the wire
// Writes smaller than the buffer are copied into it; when the buffer has
// no room for the next write, the buffered bytes go out first - together
// with the new ones in one vectored write when the writer has
// poll_write_vectored - and a write at least as large as the buffer then
// skips it. poll_shutdown flushes first.
//
// Bytes still buffered when a buf_writer is destroyed (or into_inner is
// called) are lost: flush (or shut down) before. Cancel safety: as the
// writer's; a dropped write_all loses how much was taken, as for any
// writer, and the bytes taken stay buffered in order.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/io/error.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/traits.hpp"
#include "kyoto/io/write_vectored.hpp"

namespace kyoto::io {

template <async_write W>
class buf_writer {
 public:
  static constexpr std::size_t default_capacity = 8 * 1024;

  /// W is the writer (owned), or a reference to one (buf_writer<W&>).
  explicit buf_writer(W inner, std::size_t capacity = default_capacity)
      : inner_(std::forward<W>(inner)),
        cap_(capacity ? capacity : 1),
        buf_(std::make_unique<std::byte[]>(cap_)) {}
  /// Tokio's BufWriter::with_capacity.
  static buf_writer with_capacity(std::size_t capacity, W inner) {
    return buf_writer(std::forward<W>(inner), capacity);
  }
  buf_writer(buf_writer&&) noexcept = default;
  buf_writer& operator=(buf_writer&&) noexcept = default;

  W& get_ref() noexcept { return inner_; }
  const W& get_ref() const noexcept { return inner_; }
  /// Writing to the inner writer directly reorders bytes against the buffer.
  W& get_mut() noexcept { return inner_; }
  /// The inner writer; buffered bytes are dropped (flush first).
  W into_inner() && { return std::forward<W>(inner_); }
  /// The bytes written to the buf_writer and not yet to the inner writer.
  std::span<const std::byte> buffer() const noexcept {
    return {buf_.get() + start_, end_ - start_};
  }
  std::size_t capacity() const noexcept { return cap_; }

  /// async_write.
  poll_result<result<std::size_t>> poll_write(context& cx, std::span<const std::byte> bytes) {
    using out = result<std::size_t>;
    for (;;) {
      if (fits(bytes.size())) {
        append(bytes);
        return out(bytes.size());
      }
      if (buffered() == 0) return inner_.poll_write(cx, bytes);  // at least a buffer's worth
      // The buffered bytes go first; with the new ones where one call takes both.
      std::array<io_slice, 2> both{buffer(), bytes};
      auto p = io::poll_write_vectored(inner_, cx, both);
      if (p.is_pending()) return pending;
      if (!p.value()) return out(kyoto::err(p.value().error()));
      std::size_t n = *p.value();
      if (n == 0) return out(kyoto::err(make_error_code(errc::write_zero)));
      if (n > buffered()) {
        std::size_t took = n - buffered();
        start_ = end_ = 0;
        return out(took);
      }
      consume_buffered(n);
    }
  }

  /// Copies the slices into the buffer when they fit, else writes the
  /// buffered bytes out first; slices at least a buffer's worth go to the
  /// inner writer (vectored where it can).
  poll_result<result<std::size_t>> poll_write_vectored(context& cx,
                                                       std::span<const io_slice> slices) {
    using out = result<std::size_t>;
    std::size_t total = 0;
    for (const io_slice& s : slices) total += s.size();
    if (total == 0) return out(std::size_t{0});
    for (;;) {
      if (fits(total)) {
        for (const io_slice& s : slices) append(s);
        return out(total);
      }
      if (buffered() == 0) return io::poll_write_vectored(inner_, cx, slices);
      auto p = poll_write_buffered(cx);
      if (p.is_pending()) return pending;
      if (!p.value()) return out(kyoto::err(p.value().error()));
    }
  }

  /// Writes the buffered bytes, then flushes the inner writer.
  poll_result<result<void>> poll_flush(context& cx) {
    auto p = poll_flush_buf(cx);
    if (p.is_pending()) return pending;
    if (!p.value()) return p;
    return inner_.poll_flush(cx);
  }
  /// Writes the buffered bytes, then shuts the inner writer down.
  poll_result<result<void>> poll_shutdown(context& cx) {
    auto p = poll_flush_buf(cx);
    if (p.is_pending()) return pending;
    if (!p.value()) return p;
    return inner_.poll_shutdown(cx);
  }

  /// Reads go straight to the inner stream when it is also a reader.
  poll_result<result<void>> poll_read(context& cx, read_buf& buf)
  requires async_read<W>
  {
    return inner_.poll_read(cx, buf);
  }
  poll_result<result<std::span<const std::byte>>> poll_fill_buf(context& cx)
  requires async_buf_read<W>
  {
    return inner_.poll_fill_buf(cx);
  }
  void consume(std::size_t n)
  requires async_buf_read<W>
  {
    inner_.consume(n);
  }

 private:
  std::size_t buffered() const noexcept { return end_ - start_; }
  bool fits(std::size_t n) const noexcept { return n < cap_ && buffered() + n <= cap_; }
  void append(std::span<const std::byte> bytes) noexcept {
    if (bytes.empty()) return;
    if (end_ + bytes.size() > cap_) {  // room at the front only: move the bytes down
      std::memmove(buf_.get(), buf_.get() + start_, buffered());
      end_ -= start_;
      start_ = 0;
    }
    std::memcpy(buf_.get() + end_, bytes.data(), bytes.size());
    end_ += bytes.size();
  }
  void consume_buffered(std::size_t n) noexcept {
    start_ += n;
    if (start_ == end_) start_ = end_ = 0;
  }
  // One write of the buffered bytes (some may remain).
  poll_result<result<void>> poll_write_buffered(context& cx) {
    auto p = inner_.poll_write(cx, buffer());
    if (p.is_pending()) return pending;
    if (!p.value()) return result<void>(kyoto::err(p.value().error()));
    if (*p.value() == 0) return result<void>(kyoto::err(make_error_code(errc::write_zero)));
    consume_buffered(*p.value());
    return result<void>();
  }
  poll_result<result<void>> poll_flush_buf(context& cx) {
    while (buffered() > 0) {
      auto p = poll_write_buffered(cx);
      if (p.is_pending() || !p.value()) return p;
    }
    return result<void>();
  }

  W inner_;
  std::size_t cap_;
  std::unique_ptr<std::byte[]> buf_;
  std::size_t start_ = 0;  // buf_[start_, end_) is written here, not yet to inner_
  std::size_t end_ = 0;
};

}  // namespace kyoto::io
