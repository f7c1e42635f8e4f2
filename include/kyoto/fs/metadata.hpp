// fs::metadata: what stat says about a file, and the functions that ask.
//   auto m = co_await kyoto::fs::metadata("data.bin");   // io::result<fs::file_metadata>
//   if (m && m->is_file()) total += m->len();
//
// Naming: the contract (docs/api.md) has both the function fs::metadata(p)
// and the type fs::metadata, as Rust's std::fs has. C++ lets a namespace
// hold a class and a function of one name (as <sys/stat.h> holds struct
// stat and stat()), but an ordinary lookup of the name then finds the
// function. So the type is also spelled fs::file_metadata, and that is the
// spelling to use in declarations:
//   kyoto::fs::file_metadata m = *co_await kyoto::fs::metadata(p);   // or auto
// `fs::metadata m;` does not compile; `class fs::metadata m;` does.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "kyoto/core/task.hpp"
#include "kyoto/fs/file_type.hpp"
#include "kyoto/fs/permissions.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::fs {

class metadata {
 public:
  using time_point = std::chrono::system_clock::time_point;

  /// The raw fields (from statx, or stat where statx is missing).
  struct fields {
    std::uint32_t mode = 0;  // st_mode: type and permission bits
    std::uint64_t size = 0;
    std::uint64_t ino = 0;
    std::uint64_t dev = 0;
    std::uint64_t nlink = 0;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    time_point modified{};
    time_point accessed{};
    std::optional<time_point> created;  // birth time, when the file system reports one
  };

  metadata() noexcept = default;
  explicit metadata(const fields& f) noexcept : f_(f) {}

  fs::file_type file_type() const noexcept { return fs::file_type::from_mode(f_.mode); }
  bool is_file() const noexcept { return file_type().is_file(); }
  bool is_dir() const noexcept { return file_type().is_dir(); }
  /// Only from symlink_metadata (metadata follows links).
  bool is_symlink() const noexcept { return file_type().is_symlink(); }
  std::uint64_t len() const noexcept { return f_.size; }
  fs::permissions permissions() const noexcept { return fs::permissions::from_mode(f_.mode); }
  io::result<time_point> modified() const noexcept { return f_.modified; }
  io::result<time_point> accessed() const noexcept { return f_.accessed; }
  /// std::errc::function_not_supported where the file system keeps no birth time.
  io::result<time_point> created() const noexcept;
  // Unix extras (Rust's MetadataExt).
  std::uint32_t mode() const noexcept { return f_.mode; }
  std::uint64_t ino() const noexcept { return f_.ino; }
  std::uint64_t dev() const noexcept { return f_.dev; }
  std::uint64_t nlink() const noexcept { return f_.nlink; }
  std::uint32_t uid() const noexcept { return f_.uid; }
  std::uint32_t gid() const noexcept { return f_.gid; }

 private:
  fields f_;
};

/// The declaration spelling of fs::metadata (see the naming note above).
using file_metadata = metadata;

// The function hides the class's name on purpose (the naming note above);
// g++'s -Wshadow says so ("hides constructor"), which is what is meant.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
/// stat(p), following symbolic links; on the blocking pool.
task<io::result<file_metadata>> metadata(std::filesystem::path p);
#pragma GCC diagnostic pop
/// lstat(p): a symbolic link's own metadata.
task<io::result<file_metadata>> symlink_metadata(std::filesystem::path p);

}  // namespace kyoto::fs
