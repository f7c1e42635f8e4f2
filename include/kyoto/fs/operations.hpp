// File system operations on paths, each one job on the blocking pool
// (Tokio's tokio::fs free functions):
//   co_await kyoto::fs::create_dir_all("out/logs");
//   auto n = co_await kyoto::fs::copy("a.bin", "out/a.bin");    // io::result<std::uint64_t>
//   co_await kyoto::fs::rename("out/a.bin", "out/b.bin");
//   if (auto e = co_await kyoto::fs::try_exists("out/b.bin"); e && *e) ...
// Errors carry the OS's code (compare with std::errc:
// no_such_file_or_directory, permission_denied, is_a_directory,
// file_exists, no_space_on_device, ...) and name the path(s) in their
// message. Cancel safety: a dropped operation still runs to its end on the
// pool; only its result is lost.
#pragma once

#include <cstdint>
#include <filesystem>

#include "kyoto/core/task.hpp"
#include "kyoto/fs/permissions.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::fs {

/// Copies the contents of a regular file (copy_file_range, else sendfile,
/// else read/write) and its permission bits, as Rust's std::fs::copy does;
/// `to` is created or truncated. The number of bytes copied. A source that
/// is not a regular file is std::errc::invalid_argument.
task<io::result<std::uint64_t>> copy(std::filesystem::path from, std::filesystem::path to);
/// rename(2): replaces `to` if it exists.
task<io::result<void>> rename(std::filesystem::path from, std::filesystem::path to);
task<io::result<void>> remove_file(std::filesystem::path p);
/// An empty directory.
task<io::result<void>> remove_dir(std::filesystem::path p);
/// A directory and everything under it (a symbolic link: the link only);
/// a missing path is an error, as in Rust.
task<io::result<void>> remove_dir_all(std::filesystem::path p);
/// mkdir(p, 0777 & ~umask): std::errc::file_exists if it exists.
task<io::result<void>> create_dir(std::filesystem::path p);
/// p and every missing parent; succeeds if p is already a directory.
task<io::result<void>> create_dir_all(std::filesystem::path p);
/// The absolute path with every link and "." / ".." resolved (realpath).
task<io::result<std::filesystem::path>> canonicalize(std::filesystem::path p);
/// link(2): `link` names the same file as `original`.
task<io::result<void>> hard_link(std::filesystem::path original, std::filesystem::path link);
/// symlink(2): `link` points at `original` (which need not exist).
task<io::result<void>> symlink(std::filesystem::path original, std::filesystem::path link);
/// The target of a symbolic link.
task<io::result<std::filesystem::path>> read_link(std::filesystem::path p);
/// true if p exists (following links), false if it does not
/// (no_such_file_or_directory); any other failure is an error.
task<io::result<bool>> try_exists(std::filesystem::path p);
/// chmod(2) with perms.mode().
task<io::result<void>> set_permissions(std::filesystem::path p, permissions perms);

}  // namespace kyoto::fs
