// io::split: a stream's read half and write half, usable from two tasks at
// once (Tokio's io::split, ReadHalf, WriteHalf).
//   auto [rd, wr] = kyoto::io::split(std::move(stream));
//   kyoto::spawn(pump, std::move(rd));        // reads in one task
//   co_await kyoto::io::write_all(wr, "hi");  // writes in another
//   auto back = kyoto::io::reunite(std::move(rd2), std::move(wr));  // the stream again
//
// Both halves share the stream (one allocation per split). A stream whose
// poll_read and poll_write may run at the same time on two threads says so
// with `static constexpr bool concurrent_read_write = true;` (tcp_stream,
// unix_stream and duplex_stream do): its halves call it directly, without
// a lock. Any other stream is guarded by a mutex held for the length of one
// poll_read / poll_write / poll_flush / poll_shutdown call (never across a
// pending wait), as Tokio's split does.
//
// Dropping a write half does not shut the stream down (co_await
// io::shutdown(wr) does); the stream is destroyed with the last half.
// Cancel safety: that of the stream's own operations.
#pragma once

#include <memory>
#include <span>
#include <utility>

#include "kyoto/core/result.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/traits.hpp"
#include "kyoto/io/write_vectored.hpp"

namespace kyoto::io {

namespace detail {

/// T's poll_read and poll_write may run concurrently on two threads.
template <class T>
concept concurrent_read_write = requires { requires T::concurrent_read_write; };

// The stream both halves share. `lock` guards `stream` when T is not
// concurrent_read_write (and is not used otherwise).
template <class T>
struct split_shared {
  explicit split_shared(T s) : stream(std::move(s)) {}
  T stream;
  kyoto::detail::mutex lock;

  template <class Fn>
  decltype(auto) with(Fn&& fn) {
    if constexpr (concurrent_read_write<T>) {
      return fn(stream);
    } else {
      kyoto::detail::lock_guard g(lock);
      return fn(stream);
    }
  }
};

}  // namespace detail

template <class T>
class read_half;
template <class T>
class write_half;
template <class T>
class reunite_error;

/// The reading half: async_read.
template <class T>
class read_half {
 public:
  /// What split makes.
  explicit read_half(std::shared_ptr<detail::split_shared<T>> s) noexcept : s_(std::move(s)) {}
  read_half(read_half&&) noexcept = default;
  read_half& operator=(read_half&&) noexcept = default;

  poll_result<result<void>> poll_read(context& cx, read_buf& buf) {
    return s_->with([&](T& s) { return s.poll_read(cx, buf); });
  }
  /// Whether `w` is the other half of the same split.
  bool is_pair_of(const write_half<T>& w) const noexcept { return s_ == w.s_; }
  /// The stream again, from both halves of one split (reunite_error with
  /// both halves back otherwise).
  kyoto::result<T, reunite_error<T>> unsplit(write_half<T> w) &&;

 private:
  friend class write_half<T>;
  std::shared_ptr<detail::split_shared<T>> s_;
};

/// The writing half: async_write (and vectored when T is).
template <class T>
class write_half {
 public:
  /// What split makes.
  explicit write_half(std::shared_ptr<detail::split_shared<T>> s) noexcept : s_(std::move(s)) {}
  write_half(write_half&&) noexcept = default;
  write_half& operator=(write_half&&) noexcept = default;

  poll_result<result<std::size_t>> poll_write(context& cx, std::span<const std::byte> bytes) {
    return s_->with([&](T& s) { return s.poll_write(cx, bytes); });
  }
  poll_result<result<std::size_t>> poll_write_vectored(context& cx,
                                                       std::span<const io_slice> slices)
  requires async_write_vectored<T>
  {
    return s_->with([&](T& s) { return s.poll_write_vectored(cx, slices); });
  }
  poll_result<result<void>> poll_flush(context& cx) {
    return s_->with([&](T& s) { return s.poll_flush(cx); });
  }
  poll_result<result<void>> poll_shutdown(context& cx) {
    return s_->with([&](T& s) { return s.poll_shutdown(cx); });
  }
  bool is_pair_of(const read_half<T>& r) const noexcept { return s_ == r.s_; }

 private:
  friend class read_half<T>;
  std::shared_ptr<detail::split_shared<T>> s_;
};

/// Two halves of different splits, given back.
template <class T>
class reunite_error {
 public:
  reunite_error(read_half<T> r, write_half<T> w) noexcept
      : read(std::move(r)), write(std::move(w)) {}
  const char* what() const noexcept {
    return "kyoto::io::reunite: the halves come from different splits";
  }
  read_half<T> read;
  write_half<T> write;
};

/// Splits `stream` (moved in) into its halves.
template <class T>
requires async_read<T> && async_write<T>
std::pair<read_half<T>, write_half<T>> split(T stream) {
  auto s = std::make_shared<detail::split_shared<T>>(std::move(stream));
  return {read_half<T>(s), write_half<T>(s)};
}

template <class T>
kyoto::result<T, reunite_error<T>> read_half<T>::unsplit(write_half<T> w) && {
  if (!is_pair_of(w)) return kyoto::err(reunite_error<T>(std::move(*this), std::move(w)));
  w.s_.reset();
  auto s = std::move(s_);
  return kyoto::result<T, reunite_error<T>>(std::move(s->stream));
}

/// The stream again from its two halves (Tokio's ReadHalf::unsplit, with
/// an error instead of a panic when they do not match).
template <class T>
kyoto::result<T, reunite_error<T>> reunite(read_half<T> r, write_half<T> w) {
  return std::move(r).unsplit(std::move(w));
}

}  // namespace kyoto::io
