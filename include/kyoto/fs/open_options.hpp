// fs::open_options: how to open a file (Rust's OpenOptions with its Unix
// extension: mode and custom_flags).
//   auto log = co_await kyoto::fs::open_options().append(true).create(true).open("app.log");
//   auto fresh = co_await kyoto::fs::open_options().write(true).create_new(true).open(p);
//   // an existing p: std::errc::file_exists
// Flag rules are Rust's: one of read / write / append must be set;
// truncate, create and create_new need write or append; append with
// truncate is invalid (std::errc::invalid_argument for each).
// The descriptor is opened with O_CLOEXEC and is blocking (regular files
// are not pollable; every operation runs on the blocking pool).
#pragma once

#include <cstdint>
#include <filesystem>

#include "kyoto/core/task.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::fs {

class file;

class open_options {
 public:
  open_options() noexcept = default;

  open_options& read(bool b) noexcept { return set(read_, b); }
  open_options& write(bool b) noexcept { return set(write_, b); }
  /// Every write goes to the end (O_APPEND); implies write.
  open_options& append(bool b) noexcept { return set(append_, b); }
  open_options& truncate(bool b) noexcept { return set(truncate_, b); }
  /// Create the file if it is missing.
  open_options& create(bool b) noexcept { return set(create_, b); }
  /// Create the file; fail with std::errc::file_exists if it exists (O_EXCL).
  open_options& create_new(bool b) noexcept { return set(create_new_, b); }
  /// The mode of a created file (before the umask); default 0666.
  open_options& mode(std::uint32_t m) noexcept {
    mode_ = m;
    return *this;
  }
  /// Extra open(2) flags (O_NOFOLLOW, O_DIRECT, ...); the access-mode bits are ignored.
  open_options& custom_flags(int flags) noexcept {
    custom_flags_ = flags;
    return *this;
  }

  /// open(2) on the blocking pool; the error names the path.
  task<io::result<file>> open(std::filesystem::path p) const;
  /// The open(2) flags these options give, or std::errc::invalid_argument.
  io::result<int> flags() const;

 private:
  open_options& set(bool& field, bool b) noexcept {
    field = b;
    return *this;
  }
  bool read_ = false;
  bool write_ = false;
  bool append_ = false;
  bool truncate_ = false;
  bool create_ = false;
  bool create_new_ = false;
  std::uint32_t mode_ = 0666;
  int custom_flags_ = 0;
};

}  // namespace kyoto::fs
