// libFuzzer target for the RESP request parser. Each input is parsed twice:
// all at once, and arriving in chunks whose sizes come from the input's
// first byte (the resumable path, with the buffer growing and being
// trimmed as a connection does). Both must give the same commands and the
// same error, every argument must lie inside the buffer, and consumed()
// must never pass the end. Any difference aborts.
//   clang preset: build/clang/apps/kyoto-redis/fuzz/kyoto_redis_fuzz_resp corpus/
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "resp_parser.hpp"

namespace {

struct outcome {
  std::vector<std::vector<std::string>> commands;
  std::string error;
  bool operator==(const outcome&) const = default;
};

void check(bool ok) {
  if (!ok) std::abort();
}

// Parses what `buf` holds; drops what was consumed. False once an error ended it.
bool drain(kyoto_redis::request_parser& p, std::string& buf, outcome& out) {
  for (;;) {
    auto st = p.parse(buf);
    if (st == kyoto_redis::parse_status::incomplete) return true;
    if (st == kyoto_redis::parse_status::error) {
      out.error = p.error();
      return false;
    }
    check(p.consumed() > 0 && p.consumed() <= buf.size());
    // A multibulk command's arguments are views into the buffer.
    bool multibulk = buf[0] == '*';
    std::vector<std::string> args;
    for (auto a : p.args()) {
      if (multibulk && !a.empty()) {
        check(a.data() >= buf.data() && a.data() + a.size() <= buf.data() + buf.size());
      }
      args.emplace_back(a);
    }
    out.commands.push_back(std::move(args));
    buf.erase(0, p.consumed());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t chunk = 1 + data[0] % 17;
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  kyoto_redis::parser_limits limits;
  limits.max_bulk_len = 4096;  // small limits reach their errors
  limits.max_multibulk_len = 64;
  limits.max_inline_len = 256;

  outcome whole;
  {
    kyoto_redis::request_parser p(limits);
    std::string buf = input;
    drain(p, buf, whole);
  }
  outcome chunked;
  {
    kyoto_redis::request_parser p(limits);
    std::string buf;
    for (std::size_t at = 0; at < input.size(); at += chunk) {
      buf.append(input, at, chunk);
      if (!drain(p, buf, chunked)) break;
    }
  }
  // A stream cut into chunks can reach an "over the limit" error earlier
  // or later than the whole (a limit on a line not yet ended), but never
  // different commands before it.
  std::size_t n = std::min(whole.commands.size(), chunked.commands.size());
  for (std::size_t i = 0; i < n; ++i) check(whole.commands[i] == chunked.commands[i]);
  if (whole.error.empty() && chunked.error.empty()) check(whole == chunked);
  return 0;
}
