// Whole-file reads and writes, each one job on the blocking pool:
//   auto bytes = co_await kyoto::fs::read("data.bin");          //
//   io::result<std::vector<std::byte>> auto text = co_await kyoto::fs::read_to_string("notes.txt");
//   // io::result<std::string> auto ok = co_await kyoto::fs::write("out.txt", "hello\n");   //
//   io::result<void>
// Errors carry the OS's code (compare with std::errc) and name the path in
// their message. write() creates or truncates the file (mode 0666 & ~umask)
// and writes every byte: a short write is continued, a failure (ENOSPC) is
// reported. Cancel safety: a dropped read loses nothing but the result; a
// dropped write still completes on the pool (its bytes were copied).
#pragma once

#include <concepts>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kyoto/core/task.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::fs {

task<io::result<std::vector<std::byte>>> read(std::filesystem::path p);
/// The bytes as they are (no decoding).
task<io::result<std::string>> read_to_string(std::filesystem::path p);

/// The bytes are copied before the job starts (the caller's buffer may go).
task<io::result<void>> write(std::filesystem::path p, std::span<const std::byte> bytes);
task<io::result<void>> write(std::filesystem::path p, std::string_view text);
/// Moves the buffer into the job (no copy).
task<io::result<void>> write(std::filesystem::path p, std::vector<std::byte>&& bytes);

namespace detail {
task<io::result<void>> write_string(std::filesystem::path p, std::string text);
}

/// Moves a std::string rvalue into the job (a template, so that a string
/// literal still goes to the string_view overload unambiguously).
template <class S>
requires std::same_as<S, std::string>
task<io::result<void>> write(std::filesystem::path p, S&& text) {
  return detail::write_string(std::move(p), std::move(text));
}

}  // namespace kyoto::fs
