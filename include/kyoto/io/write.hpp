// Awaitable writes on any async_write:
//   auto ok = co_await kyoto::io::write_all(sock, bytes);   // io::result<void>
//   co_await kyoto::io::flush(sock);
//   co_await kyoto::io::shutdown(sock);                    // the peer reads end of stream
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "kyoto/core/future.hpp"
#include "kyoto/io/error.hpp"
#include "kyoto/io/traits.hpp"

namespace kyoto::io {

/// Writes every byte, or fails (errc::write_zero if the writer accepts
/// none). Not cancel safe: a drop loses how much was written.
template <async_write W>
class [[nodiscard]] write_all_future {
 public:
  using output_type = result<void>;
  write_all_future(W& w, std::span<const std::byte> bytes) noexcept : w_(&w), bytes_(bytes) {}
  poll_result<output_type> poll(context& cx) {
    while (!bytes_.empty()) {
      auto p = w_->poll_write(cx, bytes_);
      if (p.is_pending()) return pending;
      if (!p.value()) return output_type(kyoto::err(p.value().error()));
      std::size_t n = *p.value();
      if (n == 0) return output_type(kyoto::err(make_error_code(errc::write_zero)));
      bytes_ = bytes_.subspan(n);
    }
    return output_type();
  }

 private:
  W* w_;
  std::span<const std::byte> bytes_;
};

template <async_write W>
write_all_future<W> write_all(W& w, std::span<const std::byte> bytes) noexcept {
  return write_all_future<W>(w, bytes);
}
template <async_write W>
write_all_future<W> write_all(W& w, std::string_view text) noexcept {
  return write_all_future<W>(w, std::as_bytes(std::span(text.data(), text.size())));
}

template <async_write W>
class [[nodiscard]] flush_future {
 public:
  using output_type = result<void>;
  explicit flush_future(W& w) noexcept : w_(&w) {}
  poll_result<output_type> poll(context& cx) { return w_->poll_flush(cx); }

 private:
  W* w_;
};

template <async_write W>
flush_future<W> flush(W& w) noexcept {
  return flush_future<W>(w);
}

template <async_write W>
class [[nodiscard]] shutdown_future {
 public:
  using output_type = result<void>;
  explicit shutdown_future(W& w) noexcept : w_(&w) {}
  poll_result<output_type> poll(context& cx) { return w_->poll_shutdown(cx); }

 private:
  W* w_;
};

template <async_write W>
shutdown_future<W> shutdown(W& w) noexcept {
  return shutdown_future<W>(w);
}

}  // namespace kyoto::io
