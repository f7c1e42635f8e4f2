// The buffer and state of one copying direction (Tokio's CopyBuffer),
// shared by io::copy and io::copy_bidirectional: read into the buffer,
// write it all out, again until the reader ends, then flush. One buffer
// for the whole copy, allocated at the first poll: no allocation per chunk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "kyoto/core/context.hpp"
#include "kyoto/core/poll.hpp"
#include "kyoto/io/error.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::io::detail {

class copy_buffer {
 public:
  static constexpr std::size_t default_size = 8 * 1024;  // Tokio's

  explicit copy_buffer(std::size_t size = default_size) noexcept : size_(size ? size : 1) {}

  /// Copies until the reader ends and the writer is flushed: ready with
  /// the bytes copied. While the reader has nothing, the writer is flushed
  /// (a buffered writer would otherwise hold bytes the peer waits for).
  template <class R, class W>
  poll_result<result<std::uint64_t>> poll_copy(context& cx, R& r, W& w) {
    using out = result<std::uint64_t>;
    if (!buf_) buf_ = std::make_unique<std::byte[]>(size_);
    for (;;) {
      if (pos_ == end_ && !read_done_) {
        pos_ = end_ = 0;
        read_buf rb(std::span<std::byte>(buf_.get(), size_));
        auto p = r.poll_read(cx, rb);
        if (p.is_pending()) {
          if (need_flush_) {
            auto f = w.poll_flush(cx);
            if (f.is_ready()) {
              if (!f.value()) return out(kyoto::err(f.value().error()));
              need_flush_ = false;
            }
          }
          return pending;
        }
        if (!p.value()) return out(kyoto::err(p.value().error()));
        end_ = rb.filled().size();
        if (end_ == 0) read_done_ = true;
      }
      while (pos_ < end_) {
        auto p = w.poll_write(cx, std::span<const std::byte>(buf_.get() + pos_, end_ - pos_));
        if (p.is_pending()) return pending;
        if (!p.value()) return out(kyoto::err(p.value().error()));
        std::size_t n = *p.value();
        if (n == 0) return out(kyoto::err(make_error_code(errc::write_zero)));
        pos_ += n;
        amount_ += n;
        need_flush_ = true;
      }
      if (read_done_) {
        auto f = w.poll_flush(cx);
        if (f.is_pending()) return pending;
        if (!f.value()) return out(kyoto::err(f.value().error()));
        return out(amount_);
      }
    }
  }

  std::uint64_t amount() const noexcept { return amount_; }

 private:
  std::size_t size_;
  std::unique_ptr<std::byte[]> buf_;
  std::size_t pos_ = 0;  // buf_[pos_, end_) is read and not yet written
  std::size_t end_ = 0;
  std::uint64_t amount_ = 0;
  bool read_done_ = false;
  bool need_flush_ = false;
};

}  // namespace kyoto::io::detail
