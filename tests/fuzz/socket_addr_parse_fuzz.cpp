// libFuzzer target for socket_addr::parse. Whatever the input, parse must
// return (never crash, never read past the text) and, when it accepts:
//   - to_string() parses back to the same address (round trip), and
//     printing that gives the same text again (the printed form is canonical);
//   - a v4 address came from text without brackets and a v6 one from text
//     in brackets, and the port printed is the port parsed.
//   clang preset: build/clang/tests/fuzz/kyoto_fuzz_socket_addr tests/fuzz/corpus/socket_addr
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kyoto/net/socket_addr.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto a = kyoto::net::socket_addr::parse(text);
  if (!a) {
    check(static_cast<bool>(a.error()));
    return 0;
  }
  check(a->is_ipv4() != a->is_ipv6());
  check(a->is_ipv6() == (!text.empty() && text.front() == '['));
  std::string printed = a->to_string();
  auto back = kyoto::net::socket_addr::parse(printed);
  check(back.has_value());
  check(*back == *a);
  check(back->to_string() == printed);
  check(printed.ends_with(":" + std::to_string(a->port())));
  return 0;
}
