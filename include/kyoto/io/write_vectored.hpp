// Vectored writes (Tokio's AsyncWrite::poll_write_vectored, write_vectored
// and write_all_vectored): several buffers handed to the writer at once,
// one writev / sendmsg where the writer has it.
//   std::array<std::span<const std::byte>, 2> parts{header, body};
//   auto n = co_await kyoto::io::write_vectored(sock, parts);     // io::result<size_t>
//   auto ok = co_await kyoto::io::write_all_vectored(sock, parts); // io::result<void>
// A writer without poll_write_vectored gets the fallback: its poll_write
// of the first non-empty slice.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include "kyoto/core/future.hpp"
#include "kyoto/io/error.hpp"
#include "kyoto/io/traits.hpp"

namespace kyoto::io {

/// One slice of a vectored write (Rust's IoSlice).
using io_slice = std::span<const std::byte>;

/// A writer that writes several slices in one call:
/// w.poll_write_vectored(cx, slices) -> how many bytes it took, counted
/// across the slices in order.
template <class W>
concept async_write_vectored =
    async_write<W> &&
    requires(std::remove_reference_t<W>& w, context& cx, std::span<const io_slice> slices) {
      { w.poll_write_vectored(cx, slices) } -> std::same_as<poll_result<result<std::size_t>>>;
    };

/// poll_write_vectored on any writer: the writer's own, or poll_write of
/// the first non-empty slice (ready with 0 when every slice is empty).
template <async_write W>
poll_result<result<std::size_t>> poll_write_vectored(W& w, context& cx,
                                                     std::span<const io_slice> slices) {
  if constexpr (async_write_vectored<W>) {
    return w.poll_write_vectored(cx, slices);
  } else {
    for (const io_slice& s : slices) {
      if (!s.empty()) return w.poll_write(cx, s);
    }
    return result<std::size_t>(std::size_t{0});
  }
}

/// One vectored write: ready with how many bytes the writer took (maybe
/// fewer than the slices hold). Cancel safe: a dropped pending write wrote
/// nothing.
template <async_write W>
class [[nodiscard]] write_vectored_future {
 public:
  using output_type = result<std::size_t>;
  write_vectored_future(W& w, std::span<const io_slice> slices) noexcept
      : w_(&w), slices_(slices) {}
  poll_result<output_type> poll(context& cx) { return io::poll_write_vectored(*w_, cx, slices_); }

 private:
  W* w_;
  std::span<const io_slice> slices_;
};

template <async_write W>
write_vectored_future<W> write_vectored(W& w, std::span<const io_slice> slices) noexcept {
  return write_vectored_future<W>(w, slices);
}

/// Writes every byte of every slice, in order, resuming inside a slice
/// after a partial write; fails with errc::write_zero if the writer takes
/// none. The slices (and the bytes they view) must outlive the future; they
/// are not modified. Not cancel safe: a drop loses how much was written.
template <async_write W>
class [[nodiscard]] write_all_vectored_future {
 public:
  using output_type = result<void>;
  write_all_vectored_future(W& w, std::span<const io_slice> slices) noexcept
      : w_(&w), slices_(slices) {
    skip_empty();
  }
  poll_result<output_type> poll(context& cx) {
    while (index_ < slices_.size()) {
      // The slices still to write, the first one trimmed by what a
      // partial write already took (at most max_slices per call).
      std::array<io_slice, max_slices> now;
      std::size_t count = 0;
      for (std::size_t i = index_; i < slices_.size() && count < max_slices; ++i) {
        io_slice s = i == index_ ? slices_[i].subspan(offset_) : slices_[i];
        if (!s.empty()) now[count++] = s;
      }
      auto p = io::poll_write_vectored(*w_, cx, std::span<const io_slice>(now.data(), count));
      if (p.is_pending()) return pending;
      if (!p.value()) return output_type(kyoto::err(p.value().error()));
      std::size_t n = *p.value();
      if (n == 0) return output_type(kyoto::err(make_error_code(errc::write_zero)));
      advance(n);
    }
    return output_type();
  }

 private:
  static constexpr std::size_t max_slices = 64;  // as many as one writev takes here
  void advance(std::size_t n) noexcept {
    while (n > 0 && index_ < slices_.size()) {
      std::size_t left = slices_[index_].size() - offset_;
      if (n < left) {
        offset_ += n;
        return;
      }
      n -= left;
      ++index_;
      offset_ = 0;
    }
    skip_empty();
  }
  void skip_empty() noexcept {
    while (index_ < slices_.size() && slices_[index_].size() == offset_) {
      ++index_;
      offset_ = 0;
    }
  }

  W* w_;
  std::span<const io_slice> slices_;
  std::size_t index_ = 0;   // the first slice not fully written
  std::size_t offset_ = 0;  // how much of it is written
};

template <async_write W>
write_all_vectored_future<W> write_all_vectored(W& w, std::span<const io_slice> slices) noexcept {
  return write_all_vectored_future<W>(w, slices);
}

}  // namespace kyoto::io
