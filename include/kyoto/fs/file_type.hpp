// fs::file_type: what kind of file a path names (Rust's FileType).
//   auto m = co_await kyoto::fs::symlink_metadata(p);
//   if (m && m->file_type().is_symlink()) ...
#pragma once

#include <cstdint>

namespace kyoto::fs {

class file_type {
 public:
  enum class kind : std::uint8_t {
    unknown,
    regular,
    directory,
    symlink,
    block,
    character,
    fifo,
    socket
  };

  constexpr file_type() noexcept = default;
  constexpr explicit file_type(kind k) noexcept : kind_(k) {}
  /// From the S_IFMT bits of a st_mode.
  static file_type from_mode(std::uint32_t mode) noexcept;

  constexpr kind type() const noexcept { return kind_; }
  constexpr bool is_file() const noexcept { return kind_ == kind::regular; }
  constexpr bool is_dir() const noexcept { return kind_ == kind::directory; }
  constexpr bool is_symlink() const noexcept { return kind_ == kind::symlink; }
  constexpr bool is_block_device() const noexcept { return kind_ == kind::block; }
  constexpr bool is_char_device() const noexcept { return kind_ == kind::character; }
  constexpr bool is_fifo() const noexcept { return kind_ == kind::fifo; }
  constexpr bool is_socket() const noexcept { return kind_ == kind::socket; }
  friend constexpr bool operator==(file_type, file_type) noexcept = default;

 private:
  kind kind_ = kind::unknown;
};

}  // namespace kyoto::fs
