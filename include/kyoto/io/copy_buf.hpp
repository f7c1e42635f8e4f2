// io::copy_buf: copies from a reader with its own buffer (a buf_reader)
// straight out of that buffer, without a buffer of its own (Tokio's
// io::copy_buf).
//   kyoto::io::buf_reader in(std::move(sock));
//   auto n = co_await kyoto::io::copy_buf(in, out);   // io::result<std::uint64_t>
// Copies until the reader ends, then flushes the writer. Not cancel safe
// in the sense that the count is lost; no byte is lost (what the writer
// did not take stays in the reader's buffer).
#pragma once

#include <cstdint>

#include "kyoto/core/future.hpp"
#include "kyoto/io/error.hpp"
#include "kyoto/io/traits.hpp"

namespace kyoto::io {

template <async_buf_read R, async_write W>
class [[nodiscard]] copy_buf_future {
 public:
  using output_type = result<std::uint64_t>;
  copy_buf_future(R& r, W& w) noexcept : r_(&r), w_(&w) {}
  poll_result<output_type> poll(context& cx) {
    for (;;) {
      auto p = r_->poll_fill_buf(cx);
      if (p.is_pending()) {
        if (need_flush_) {
          auto f = w_->poll_flush(cx);
          if (f.is_ready()) {
            if (!f.value()) return output_type(kyoto::err(f.value().error()));
            need_flush_ = false;
          }
        }
        return pending;
      }
      if (!p.value()) return output_type(kyoto::err(p.value().error()));
      std::span<const std::byte> have = *p.value();
      if (have.empty()) {
        auto f = w_->poll_flush(cx);
        if (f.is_pending()) return pending;
        if (!f.value()) return output_type(kyoto::err(f.value().error()));
        return output_type(amount_);
      }
      auto q = w_->poll_write(cx, have);
      if (q.is_pending()) return pending;
      if (!q.value()) return output_type(kyoto::err(q.value().error()));
      std::size_t n = *q.value();
      if (n == 0) return output_type(kyoto::err(make_error_code(errc::write_zero)));
      r_->consume(n);
      amount_ += n;
      need_flush_ = true;
    }
  }

 private:
  R* r_;
  W* w_;
  std::uint64_t amount_ = 0;
  bool need_flush_ = false;
};

template <async_buf_read R, async_write W>
copy_buf_future<R, W> copy_buf(R& r, W& w) noexcept {
  return copy_buf_future<R, W>(r, w);
}

}  // namespace kyoto::io
