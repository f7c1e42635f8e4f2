// Errors of the file system layer that name what failed:
//   path_error(ENOENT, "open", p).message() == "kyoto::fs: open '/x': No such file or directory"
// Such a code compares equal to the errno's std::errc (its category maps
// to the generic one) and its value() is the errno. The category carrying
// the text is interned (error_code holds a category pointer, so it must
// live for the process): at most max_interned distinct texts are kept,
// after which errors fall back to std::system_category (no path in the
// message, same value and comparisons).
#pragma once

#include <filesystem>
#include <system_error>

namespace kyoto::fs::detail {

inline constexpr std::size_t max_interned = 4096;

std::error_code path_error(int err, const char* op, const std::filesystem::path& p);
std::error_code path_error(int err, const char* op, const std::filesystem::path& from,
                           const std::filesystem::path& to);
/// errno as a system error (no path).
std::error_code os_error(int err) noexcept;

}  // namespace kyoto::fs::detail
