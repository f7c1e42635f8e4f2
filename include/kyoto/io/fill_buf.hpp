// io::fill_buf: the bytes a buffered reader holds, reading more when it
// holds none (Tokio's AsyncBufReadExt::fill_buf); consume(n) then marks n
// of them used. Reading a large stream this way copies nothing:
//   kyoto::io::buf_reader in(std::move(*file), 64 * 1024);
//   for (;;) {
//     auto have = co_await kyoto::io::fill_buf(in);   // io::result<std::span<const std::byte>>
//     if (!have) co_return have.error();
//     if (have->empty()) break;                        // end of stream
//     digest.update(*have);
//     in.consume(have->size());
//   }
// The span views the reader's buffer: valid until the next operation on
// the reader. Cancel safe: a dropped fill_buf consumed nothing.
#pragma once

#include <cstddef>
#include <span>

#include "kyoto/core/future.hpp"
#include "kyoto/io/traits.hpp"

namespace kyoto::io {

template <async_buf_read B>
class [[nodiscard]] fill_buf_future {
 public:
  using output_type = result<std::span<const std::byte>>;
  explicit fill_buf_future(B& b) noexcept : b_(&b) {}
  poll_result<output_type> poll(context& cx) { return b_->poll_fill_buf(cx); }

 private:
  B* b_;
};

template <async_buf_read B>
fill_buf_future<B> fill_buf(B& b) noexcept {
  return fill_buf_future<B>(b);
}

}  // namespace kyoto::io
