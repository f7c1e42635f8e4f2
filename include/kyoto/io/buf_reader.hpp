// buf_reader<R>: a buffer in front of a reader, with read_line and the
// lines() stream (Tokio's BufReader, AsyncBufReadExt::read_line, Lines).
//   kyoto::io::buf_reader reader(std::move(sock));
//   auto lines = std::move(reader).lines();
//   while (auto line = co_await kyoto::next(lines)) {
//     if (!*line) return line->error();   // an I/O error
//     handle(**line);                      // the line, without "\n" or "\r\n"
//   }
// Over a stream that also writes, writes pass through to it: a
// buf_reader<buf_writer<tcp_stream>> buffers both directions (Tokio's
// BufStream), e.g. a line protocol that reads requests with lines() and
// batches its replies until flush.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kyoto/core/future.hpp"
#include "kyoto/io/error.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/traits.hpp"
#include "kyoto/io/write_vectored.hpp"

namespace kyoto::io {

template <class B>
class lines;

template <async_read R>
class buf_reader {
 public:
  static constexpr std::size_t default_capacity = 8 * 1024;

  explicit buf_reader(R inner, std::size_t capacity = default_capacity)
      : inner_(std::move(inner)), buf_(capacity ? capacity : 1) {}

  R& get_ref() noexcept { return inner_; }
  /// Reading from the inner reader directly skips the buffered bytes.
  R& get_mut() noexcept { return inner_; }
  R into_inner() && { return std::move(inner_); }
  /// The bytes buffered and not yet consumed.
  std::span<const std::byte> buffer() const noexcept {
    return std::span<const std::byte>(buf_).subspan(pos_, end_ - pos_);
  }

  /// async_buf_read: the buffered bytes, reading more if there are none
  /// (empty = end of stream).
  poll_result<result<std::span<const std::byte>>> poll_fill_buf(context& cx) {
    using out = result<std::span<const std::byte>>;
    if (pos_ == end_) {
      read_buf rb(buf_);
      auto p = inner_.poll_read(cx, rb);
      if (p.is_pending()) return pending;
      if (!p.value()) return out(kyoto::err(p.value().error()));
      pos_ = 0;
      end_ = rb.filled().size();
    }
    return out(buffer());
  }
  void consume(std::size_t n) noexcept { pos_ = std::min(pos_ + n, end_); }

  /// async_read: from the buffer, or straight from the reader when the
  /// buffer is empty and the caller's is at least as large.
  poll_result<result<void>> poll_read(context& cx, read_buf& out) {
    if (pos_ == end_ && out.remaining() >= buf_.size()) return inner_.poll_read(cx, out);
    auto p = poll_fill_buf(cx);
    if (p.is_pending()) return pending;
    if (!p.value()) return result<void>(kyoto::err(p.value().error()));
    std::span<const std::byte> have = *p.value();
    std::size_t n = std::min(have.size(), out.remaining());
    out.put(have.first(n));
    consume(n);
    return result<void>();
  }

  /// async_write (and vectored) when the inner stream writes: straight
  /// through, the read buffer is not involved.
  poll_result<result<std::size_t>> poll_write(context& cx, std::span<const std::byte> bytes)
  requires async_write<R>
  {
    return inner_.poll_write(cx, bytes);
  }
  poll_result<result<std::size_t>> poll_write_vectored(context& cx,
                                                       std::span<const io_slice> slices)
  requires async_write_vectored<R>
  {
    return inner_.poll_write_vectored(cx, slices);
  }
  poll_result<result<void>> poll_flush(context& cx)
  requires async_write<R>
  {
    return inner_.poll_flush(cx);
  }
  poll_result<result<void>> poll_shutdown(context& cx)
  requires async_write<R>
  {
    return inner_.poll_shutdown(cx);
  }

  /// Appends bytes up to and including the next '\n' to `line`; ready
  /// with how many were appended (0 at the end of the stream).
  /// Cancel safe: consumed bytes are already in `line`, so a new
  /// read_line on the same string continues where the dropped one was.
  class [[nodiscard]] read_line_future {
   public:
    using output_type = result<std::size_t>;
    read_line_future(buf_reader& r, std::string& line) noexcept : r_(&r), line_(&line) {}
    poll_result<output_type> poll(context& cx) {
      for (;;) {
        auto p = r_->poll_fill_buf(cx);
        if (p.is_pending()) return pending;
        if (!p.value()) return output_type(kyoto::err(p.value().error()));
        std::span<const std::byte> have = *p.value();
        if (have.empty()) return output_type(appended_);
        auto nl = std::find(have.begin(), have.end(), std::byte{'\n'});
        bool found = nl != have.end();
        std::size_t n = static_cast<std::size_t>(nl - have.begin()) + (found ? 1 : 0);
        line_->append(reinterpret_cast<const char*>(have.data()), n);
        r_->consume(n);
        appended_ += n;
        if (found) return output_type(appended_);
      }
    }

   private:
    buf_reader* r_;
    std::string* line_;
    std::size_t appended_ = 0;
  };
  read_line_future read_line(std::string& line) noexcept { return read_line_future(*this, line); }

  /// The lines as a stream of io::result<std::string>, each without its
  /// "\n" or "\r\n"; a last line without a newline is yielded too. A line
  /// longer than max_line bytes yields errc::line_too_long (and the stream
  /// then skips to the next line), so a peer cannot grow it without bound.
  io::lines<buf_reader&> lines(std::size_t max_line = no_limit) & {
    return io::lines<buf_reader&>(*this, max_line);
  }
  io::lines<buf_reader> lines(std::size_t max_line = no_limit) && {
    return io::lines<buf_reader>(std::move(*this), max_line);
  }

  static constexpr std::size_t no_limit = std::numeric_limits<std::size_t>::max();

 private:
  R inner_;
  std::vector<std::byte> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
};

/// The stream returned by buf_reader::lines(); B is a buf_reader (owned)
/// or a reference to one. Cancel safe: a partial line is kept in the
/// stream, so dropping a pending next() loses nothing.
template <class B>
class lines {
 public:
  using item_type = result<std::string>;

  lines(B reader, std::size_t max_line) : reader_(std::forward<B>(reader)), max_line_(max_line) {}

  poll_result<std::optional<item_type>> poll_next(context& cx) {
    using out = std::optional<item_type>;
    for (;;) {
      auto p = reader_.poll_fill_buf(cx);
      if (p.is_pending()) return pending;
      if (!p.value()) return out(item_type(kyoto::err(p.value().error())));
      std::span<const std::byte> have = *p.value();
      if (have.empty()) {  // end of stream (a skipped line left line_ empty)
        skipping_ = false;
        if (line_.empty()) return out();
        return out(item_type(std::exchange(line_, std::string())));  // no newline to strip
      }
      auto nl = std::find(have.begin(), have.end(), std::byte{'\n'});
      bool found = nl != have.end();
      auto n = static_cast<std::size_t>(nl - have.begin());
      std::size_t used = found ? n + 1 : n;
      if (!skipping_ && line_.size() + n > max_line_) {
        // Too long: report it once, then drop bytes up to the newline.
        line_.clear();
        reader_.consume(used);
        skipping_ = !found;
        return out(item_type(kyoto::err(make_error_code(errc::line_too_long))));
      }
      if (!skipping_) line_.append(reinterpret_cast<const char*>(have.data()), n);
      reader_.consume(used);
      if (!found || std::exchange(skipping_, false)) continue;
      return out(take_line());
    }
  }

 private:
  // A line that ended with '\n': drop a '\r' before it too.
  item_type take_line() {
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    return item_type(std::exchange(line_, std::string()));
  }

  B reader_;
  std::size_t max_line_;
  std::string line_;
  bool skipping_ = false;
};

}  // namespace kyoto::io
