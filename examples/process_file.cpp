// Error propagation with kyoto::try_ (Rust's `?`): each step returns a
// result; the first error ends process_file and is handed to the caller.
#include <cstdio>
#include <fstream>
#include <kyoto/kyoto.hpp>
#include <sstream>
#include <string>
#include <system_error>

using kyoto::io::result;

kyoto::task<result<std::string>> read_file(std::string path) {
  std::ifstream in(path);
  if (!in) co_return kyoto::err(std::make_error_code(std::errc::no_such_file_or_directory));
  std::ostringstream s;
  s << in.rdbuf();
  co_return s.str();
}

result<int> count_words(const std::string& text) {
  if (text.empty()) return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  std::istringstream in(text);
  int n = 0;
  for (std::string w; in >> w;) ++n;
  return n;
}

kyoto::task<result<int>> process_file(std::string path) {
  std::string text = co_await kyoto::try_(read_file(path));  // awaits, then unwraps
  int words = co_await kyoto::try_(count_words(text));
  co_return words;
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/etc/os-release";
  auto r = kyoto::block_on(process_file(path));
  if (!r) {
    std::printf("%s: error: %s\n", path, r.error().message().c_str());
    return 1;
  }
  std::printf("%s: %d words\n", path, *r);
  auto missing = kyoto::block_on(process_file("/nonexistent/file"));
  std::printf("/nonexistent/file: error: %s\n", missing.error().message().c_str());
  return 0;
}
