// In-memory readers and writers whose behaviour a test sets: how many
// bytes one call takes or gives, a pending answer before every other call,
// an error after so many bytes; they record what they were asked.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "kyoto/io.hpp"

namespace kyoto::test {

/// A writer that takes at most `limit` bytes per call (across slices, for
/// a vectored call); with `stutter`, every other call is pending first
/// (having woken its task, so the task is polled again at once).
template <bool Vectored>
struct recording_writer {
  explicit recording_writer(std::size_t lim = static_cast<std::size_t>(-1), bool st = false)
      : limit(lim), stutter(st) {}

  std::string data;
  std::size_t limit;
  bool stutter;
  std::optional<std::error_code> error;  // returned once data holds fail_after bytes
  std::size_t fail_after = 0;
  int writes = 0;                  // poll_write calls that took bytes
  int vectored_writes = 0;         // poll_write_vectored calls that took bytes
  std::vector<std::size_t> sizes;  // bytes taken per call
  int flushes = 0;
  bool shut_down = false;
  bool flip = false;

  bool stall(context& cx) {
    if (stutter && (flip = !flip)) {
      cx.waker().wake_by_ref();
      return true;
    }
    return false;
  }
  std::optional<std::error_code> failing() const {
    if (error && data.size() >= fail_after) return error;
    return std::nullopt;
  }

  poll_result<io::result<std::size_t>> poll_write(context& cx, std::span<const std::byte> b) {
    if (stall(cx)) return pending;
    if (auto e = failing()) return io::result<std::size_t>(kyoto::err(*e));
    std::size_t n = std::min(limit, b.size());
    data.append(reinterpret_cast<const char*>(b.data()), n);
    ++writes;
    sizes.push_back(n);
    return io::result<std::size_t>(n);
  }
  poll_result<io::result<std::size_t>> poll_write_vectored(context& cx,
                                                           std::span<const io::io_slice> slices)
  requires Vectored
  {
    if (stall(cx)) return pending;
    if (auto e = failing()) return io::result<std::size_t>(kyoto::err(*e));
    std::size_t n = 0;
    for (const auto& s : slices) {
      std::size_t k = std::min(limit - n, s.size());
      data.append(reinterpret_cast<const char*>(s.data()), k);
      n += k;
      if (n == limit) break;
    }
    ++vectored_writes;
    sizes.push_back(n);
    return io::result<std::size_t>(n);
  }
  poll_result<io::result<void>> poll_flush(context& cx) {
    if (stall(cx)) return pending;
    ++flushes;
    return io::result<void>();
  }
  poll_result<io::result<void>> poll_shutdown(context& cx) {
    if (stall(cx)) return pending;
    shut_down = true;
    return io::result<void>();
  }
};

/// A reader of `text` that gives at most `limit` bytes per call, then
/// either the end of the stream or `error`.
struct scripted_reader {
  scripted_reader(std::string t, std::size_t lim, bool st = false)
      : text(std::move(t)), limit(lim), stutter(st) {}
  std::string text;
  std::size_t limit;
  bool stutter;
  std::optional<std::error_code> error;  // instead of the end of the stream
  std::size_t pos = 0;
  bool flip = false;

  poll_result<io::result<void>> poll_read(context& cx, io::read_buf& buf) {
    if (stutter && (flip = !flip)) {
      cx.waker().wake_by_ref();
      return pending;
    }
    if (pos == text.size() && error) return io::result<void>(kyoto::err(*error));
    std::size_t n = std::min({limit, buf.remaining(), text.size() - pos});
    buf.put(std::as_bytes(std::span(text.data() + pos, n)));
    pos += n;
    return io::result<void>();
  }
};

}  // namespace kyoto::test
