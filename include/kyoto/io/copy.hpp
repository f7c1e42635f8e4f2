// io::copy: everything a reader gives, into a writer (Tokio's io::copy).
//   auto n = co_await kyoto::io::copy(file, sock);   // io::result<std::uint64_t>
//   if (!n) co_return n.error();
// Copies until the reader ends, then flushes the writer (it does not shut
// it down: copy_bidirectional does). One 8 KiB buffer for the whole copy.
// Not cancel safe: bytes read and not yet written are lost when the
// future is dropped.
#pragma once

#include <cstdint>

#include "kyoto/core/future.hpp"
#include "kyoto/io/detail/copy_buffer.hpp"
#include "kyoto/io/traits.hpp"

namespace kyoto::io {

template <async_read R, async_write W>
class [[nodiscard]] copy_future {
 public:
  using output_type = result<std::uint64_t>;
  copy_future(R& r, W& w) noexcept : r_(&r), w_(&w) {}
  poll_result<output_type> poll(context& cx) { return buf_.poll_copy(cx, *r_, *w_); }

 private:
  R* r_;
  W* w_;
  detail::copy_buffer buf_;
};

/// Ready with the number of bytes copied, or the first error of either side
/// (errc::write_zero if the writer takes none).
template <async_read R, async_write W>
copy_future<R, W> copy(R& r, W& w) noexcept {
  return copy_future<R, W>(r, w);
}

}  // namespace kyoto::io
