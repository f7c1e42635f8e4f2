// io::seek_from: where a seek moves a file's position (Rust's SeekFrom).
//   co_await f.seek(kyoto::io::seek_from::start(0));
//   co_await f.seek(kyoto::io::seek_from::end(-16));
#pragma once

#include <cstdint>

namespace kyoto::io {

class seek_from {
 public:
  enum class origin { start, current, end };

  /// n bytes from the beginning.
  static constexpr seek_from start(std::uint64_t n) noexcept {
    return seek_from(origin::start, static_cast<std::int64_t>(n));
  }
  /// n bytes (may be negative) from the current position.
  static constexpr seek_from current(std::int64_t n) noexcept {
    return seek_from(origin::current, n);
  }
  /// n bytes (may be negative) from the end.
  static constexpr seek_from end(std::int64_t n) noexcept { return seek_from(origin::end, n); }

  constexpr origin whence() const noexcept { return origin_; }
  constexpr std::int64_t offset() const noexcept { return offset_; }

 private:
  constexpr seek_from(origin o, std::int64_t n) noexcept : origin_(o), offset_(n) {}
  origin origin_;
  std::int64_t offset_;
};

}  // namespace kyoto::io
