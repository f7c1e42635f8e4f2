// Awaitable reads on any async_read:
//   std::array<std::byte, 1024> buf;
//   auto n = co_await kyoto::io::read(sock, buf);          // io::result<size_t>, 0 = end
//   auto ok = co_await kyoto::io::read_exact(sock, header); // io::result<void>
//   std::string text;
//   auto r = co_await kyoto::io::read_to_string(file, text);
// Each future holds references to the reader and the buffer, which must
// outlive it.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "kyoto/core/future.hpp"
#include "kyoto/io/error.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/traits.hpp"

namespace kyoto::io {

/// Reads what is available (at least one byte unless the stream ended).
/// Cancel safe: a dropped pending read consumed nothing.
template <async_read R>
class [[nodiscard]] read_future {
 public:
  using output_type = result<std::size_t>;
  read_future(R& r, std::span<std::byte> out) noexcept : r_(&r), out_(out) {}
  poll_result<output_type> poll(context& cx) {
    read_buf buf(out_);
    auto p = r_->poll_read(cx, buf);
    if (p.is_pending()) return pending;
    if (!p.value()) return output_type(kyoto::err(p.value().error()));
    return output_type(buf.filled().size());
  }

 private:
  R* r_;
  std::span<std::byte> out_;
};

template <async_read R>
read_future<R> read(R& r, std::span<std::byte> out) noexcept {
  return read_future<R>(r, out);
}

/// Fills `out` entirely, or fails with errc::unexpected_eof. Not cancel
/// safe: bytes read before a drop are in `out` but the count is lost.
template <async_read R>
class [[nodiscard]] read_exact_future {
 public:
  using output_type = result<void>;
  read_exact_future(R& r, std::span<std::byte> out) noexcept : r_(&r), out_(out) {}
  poll_result<output_type> poll(context& cx) {
    while (done_ < out_.size()) {
      read_buf buf(out_.subspan(done_));
      auto p = r_->poll_read(cx, buf);
      if (p.is_pending()) return pending;
      if (!p.value()) return output_type(kyoto::err(p.value().error()));
      if (buf.filled().empty())
        return output_type(kyoto::err(make_error_code(errc::unexpected_eof)));
      done_ += buf.filled().size();
    }
    return output_type();
  }

 private:
  R* r_;
  std::span<std::byte> out_;
  std::size_t done_ = 0;
};

template <async_read R>
read_exact_future<R> read_exact(R& r, std::span<std::byte> out) noexcept {
  return read_exact_future<R>(r, out);
}

/// Appends everything until the end of the stream to `out` (a vector of
/// bytes or a std::string); ready with the number of bytes appended.
/// Cancel safe in the sense that appended bytes stay in `out`.
template <async_read R, class Container>
class [[nodiscard]] read_to_end_future {
 public:
  using output_type = result<std::size_t>;
  read_to_end_future(R& r, Container& out) noexcept : r_(&r), out_(&out) {}
  poll_result<output_type> poll(context& cx) {
    for (;;) {
      std::size_t used = out_->size();
      std::size_t room = out_->capacity() - used;
      if (room < min_chunk) room = out_->capacity() < min_chunk ? min_chunk : out_->capacity();
      out_->resize(used + room);
      read_buf buf(std::as_writable_bytes(std::span(out_->data() + used, room)));
      auto p = r_->poll_read(cx, buf);
      out_->resize(used + buf.filled().size());
      if (p.is_pending()) return pending;
      if (!p.value()) return output_type(kyoto::err(p.value().error()));
      if (buf.filled().empty()) return output_type(total_);
      total_ += buf.filled().size();
    }
  }

 private:
  static constexpr std::size_t min_chunk = 4096;
  R* r_;
  Container* out_;
  std::size_t total_ = 0;
};

template <async_read R>
read_to_end_future<R, std::vector<std::byte>> read_to_end(R& r, std::vector<std::byte>& out) {
  return read_to_end_future<R, std::vector<std::byte>>(r, out);
}

/// As read_to_end, into a std::string (bytes as they are: no decoding).
template <async_read R>
read_to_end_future<R, std::string> read_to_string(R& r, std::string& out) {
  return read_to_end_future<R, std::string>(r, out);
}

}  // namespace kyoto::io
