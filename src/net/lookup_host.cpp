#include "kyoto/net/lookup_host.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

#include "kyoto/runtime/spawn.hpp"

namespace kyoto::net {
namespace {

class resolver_errors final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kyoto.resolver"; }
  std::string message(int e) const override { return ::gai_strerror(e); }
};

using addr_list = io::result<std::vector<socket_addr>>;

addr_list resolve_blocking(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    if (rc == EAI_SYSTEM) return kyoto::err(std::error_code(errno, std::system_category()));
    return kyoto::err(std::error_code(rc, resolver_category()));
  }
  std::vector<socket_addr> out;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    auto a = socket_addr::from_sockaddr(ai->ai_addr, ai->ai_addrlen);
    if (a && std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
  }
  ::freeaddrinfo(res);
  return out;
}

}  // namespace

const std::error_category& resolver_category() noexcept {
  static const resolver_errors c;
  return c;
}

task<addr_list> lookup_host(std::string host_port) {
  if (auto a = socket_addr::parse(host_port)) co_return std::vector<socket_addr>{*a};
  std::string_view text = host_port;
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    co_return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  }
  std::string_view port = text.substr(colon + 1);
  unsigned p = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || end != port.data() + port.size() || p > 65535) {
    co_return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  }
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  // Named, not a temporary inside the co_await expression: g++ 12 destroys
  // a closure's captures twice there.
  auto job = [host, service = std::string(port)] { return resolve_blocking(host, service); };
  auto handle = kyoto::spawn_blocking(std::move(job));
  auto joined = co_await handle;
  if (!joined) co_return kyoto::err(std::make_error_code(std::errc::operation_canceled));
  co_return std::move(*joined);
}

}  // namespace kyoto::net
