// read_buf: the caller's buffer that a poll_read fills (Tokio's ReadBuf).
#pragma once

#include <cassert>
#include <cstddef>
#include <cstring>
#include <span>

namespace kyoto::io {

/// A byte buffer and how much of it is filled. A reader writes into
/// unfilled() and calls advance(n), or calls put(bytes):
///   std::array<std::byte, 4096> storage;
///   kyoto::io::read_buf buf(storage);
///   ... r.poll_read(cx, buf) ...
///   use(buf.filled());
class read_buf {
 public:
  explicit read_buf(std::span<std::byte> storage) noexcept : storage_(storage) {}

  std::size_t capacity() const noexcept { return storage_.size(); }
  std::size_t remaining() const noexcept { return storage_.size() - filled_; }
  std::span<const std::byte> filled() const noexcept { return storage_.first(filled_); }
  std::span<std::byte> unfilled() noexcept { return storage_.subspan(filled_); }

  /// Marks n more bytes of unfilled() as filled.
  void advance(std::size_t n) noexcept {
    assert(n <= remaining() && "read_buf::advance past the end");
    filled_ += n;
  }
  /// Copies bytes in (at most remaining()).
  void put(std::span<const std::byte> bytes) noexcept {
    assert(bytes.size() <= remaining() && "read_buf::put past the end");
    if (!bytes.empty()) std::memcpy(storage_.data() + filled_, bytes.data(), bytes.size());
    filled_ += bytes.size();
  }
  void clear() noexcept { filled_ = 0; }

 private:
  std::span<std::byte> storage_;
  std::size_t filled_ = 0;
};

}  // namespace kyoto::io
