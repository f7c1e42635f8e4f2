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
#include <cstring>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
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
///
/// A reader with a read_size_hint() (fs::file) gets room for that many
/// bytes at once, and the end is then checked with a small probe read, so
/// that a file of exactly the hinted size is read without growing `out`
/// (as Rust's std read_to_end does); otherwise `out` grows geometrically.
/// If it also has poll_read_into_vec (has_read_into_vec) and `out` is an
/// empty std::vector<std::byte>, the hinted bytes are asked for in one
/// call, which hands its own buffer over as `out` (fs::file: one job, no
/// copy, no room zeroed here); the probe and any rest follow as above.
///
/// While the future is pending, `out` may hold zeroed room past the bytes
/// appended so far (it is trimmed when the future completes or is
/// destroyed): growing a container zeroes the new room, so trimming it on
/// every pending poll and growing it again on the next would zero the
/// whole spare capacity once per read, quadratic in the stream's length
/// for a reader that returns less than the room (a file read in 2 MiB
/// chunks into a 256 MiB vector).
template <async_read R, class Container>
class [[nodiscard]] read_to_end_future {
 public:
  using output_type = result<std::size_t>;
  read_to_end_future(R& r, Container& out) noexcept : r_(&r), out_(&out) {}
  read_to_end_future(read_to_end_future&& o) noexcept
      : r_(o.r_),
        out_(std::exchange(o.out_, nullptr)),
        start_(o.start_),
        valid_(o.valid_),
        probe_at_(o.probe_at_),
        into_vec_(o.into_vec_),
        started_(o.started_) {}
  read_to_end_future& operator=(read_to_end_future&&) = delete;
  ~read_to_end_future() { trim(); }

  poll_result<output_type> poll(context& cx) {
    if (!started_) start();
    if constexpr (uses_into_vec) {
      if (into_vec_ != 0) {
        auto p = r_->poll_read_into_vec(cx, *out_, into_vec_);
        valid_ = out_->size();
        if (p.is_pending()) return pending;
        into_vec_ = 0;
        if (!p.value()) return output_type(kyoto::err(p.value().error()));
        if (valid_ == start_) return output_type(std::size_t{0});  // the end already
        // Short of the hint (bytes were buffered, or the file changed):
        // room up to the hinted end, as start() gives other readers.
        if (valid_ < probe_at_) room_until(probe_at_);
      }
    }
    for (;;) {
      if (out_->size() == valid_) {  // no room left
        if (valid_ == probe_at_) {   // exactly the hinted size: at the end?
          auto p = probe(cx);
          if (p.is_pending()) return pending;
          if (!p.value()) {
            trim();
            return output_type(kyoto::err(p.value().error()));
          }
          if (*p.value() == 0) return output_type(valid_ - start_);
          continue;
        }
        grow();
      }
      read_buf buf(std::as_writable_bytes(std::span(out_->data() + valid_, out_->size() - valid_)));
      auto p = r_->poll_read(cx, buf);
      valid_ += buf.filled().size();
      if (p.is_pending()) return pending;
      if (!p.value()) {
        trim();
        return output_type(kyoto::err(p.value().error()));
      }
      if (buf.filled().empty()) {
        trim();
        return output_type(valid_ - start_);
      }
    }
  }

 private:
  static constexpr std::size_t min_chunk = 4096;
  static constexpr std::size_t no_probe = static_cast<std::size_t>(-1);
  static constexpr bool uses_into_vec =
      has_read_into_vec<R> && std::is_same_v<Container, std::vector<std::byte>>;

  void start() {
    started_ = true;
    start_ = valid_ = out_->size();
    if constexpr (has_read_size_hint<R>) {
      auto hint = r_->read_size_hint();
      if (hint && *hint > 0 && *hint <= out_->max_size() - valid_) {
        if constexpr (uses_into_vec) {
          if (valid_ == 0) {  // empty: the reader's buffer becomes out_
            into_vec_ = *hint;
            probe_at_ = *hint;
            return;
          }
        }
        room_until(valid_ + *hint);
      }
    }
  }
  // Room up to `end` (zeroed once), probed there; else geometric growth.
  void room_until(std::size_t end) {
    try {
      out_->reserve(end);
      out_->resize(end);
      probe_at_ = end;
    } catch (const std::bad_alloc&) {  // a hint too big to hold: grow as it comes
      probe_at_ = no_probe;
    } catch (const std::length_error&) {
      probe_at_ = no_probe;
    }
  }
  void grow() {  // geometrically
    std::size_t room = out_->capacity() - valid_;
    if (room < min_chunk) room = out_->capacity() < min_chunk ? min_chunk : out_->capacity();
    out_->resize(valid_ + room);
  }
  // A small read past the hinted end: ready(bytes appended), 0 = the end.
  poll_result<result<std::size_t>> probe(context& cx) {
    std::byte small[32];
    read_buf buf{std::span<std::byte>(small)};
    auto p = r_->poll_read(cx, buf);
    std::size_t n = buf.filled().size();
    if (n != 0) {  // not the end after all: append, then grow as usual
      out_->resize(valid_ + n);
      std::memcpy(out_->data() + valid_, small, n);
      valid_ += n;
      probe_at_ = no_probe;
    }
    if (p.is_pending()) return pending;
    if (!p.value()) return result<std::size_t>(kyoto::err(p.value().error()));
    return result<std::size_t>(n);
  }
  void trim() noexcept {
    if (out_ && started_ && out_->size() != valid_) out_->resize(valid_);  // shrinking: no throw
  }

  R* r_;
  Container* out_;
  std::size_t start_ = 0;            // out_'s size before
  std::size_t valid_ = 0;            // out_'s bytes that are data (the rest is room)
  std::size_t probe_at_ = no_probe;  // the hinted end, where to probe
  std::size_t into_vec_ = 0;         // bytes to ask poll_read_into_vec for (0: done / unused)
  bool started_ = false;
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
