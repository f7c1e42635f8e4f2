#include "kyoto/net/socket_addr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>
#include <ostream>

namespace kyoto::net {
namespace {

io::result<socket_addr> invalid() {
  return kyoto::err(std::make_error_code(std::errc::invalid_argument));
}

bool parse_port(std::string_view s, std::uint16_t& port) {
  if (s.empty() || s.size() > 5) return false;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 65535) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

}  // namespace

socket_addr::socket_addr() noexcept = default;

socket_addr socket_addr::v4(std::array<std::uint8_t, 4> ip, std::uint16_t port) noexcept {
  socket_addr a;
  a.family_ = 4;
  std::memcpy(a.ip_.data(), ip.data(), 4);
  a.port_ = port;
  return a;
}

socket_addr socket_addr::v6(const std::array<std::uint8_t, 16>& ip, std::uint16_t port,
                            std::uint32_t scope_id) noexcept {
  socket_addr a;
  a.family_ = 6;
  a.ip_ = ip;
  a.port_ = port;
  a.scope_id_ = scope_id;
  return a;
}

io::result<socket_addr> socket_addr::parse(std::string_view text) {
  if (text.size() > 64) return invalid();
  std::uint16_t port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return invalid();
    }
    if (!parse_port(text.substr(close + 2), port)) return invalid();
    std::string_view host = text.substr(1, close - 1);
    std::uint32_t scope = 0;
    if (auto pct = host.find('%'); pct != std::string_view::npos) {
      std::string_view z = host.substr(pct + 1);
      auto [p, ec] = std::from_chars(z.data(), z.data() + z.size(), scope);
      if (z.empty() || ec != std::errc() || p != z.data() + z.size()) return invalid();
      host = host.substr(0, pct);
    }
    std::string h(host);
    std::array<std::uint8_t, 16> ip{};
    if (h.empty() || ::inet_pton(AF_INET6, h.c_str(), ip.data()) != 1) return invalid();
    return v6(ip, port, scope);
  }
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || !parse_port(text.substr(colon + 1), port)) {
    return invalid();
  }
  std::string h(text.substr(0, colon));
  std::array<std::uint8_t, 4> ip{};
  // inet_pton accepts exactly dotted-quad decimal for AF_INET.
  if (h.empty() || ::inet_pton(AF_INET, h.c_str(), ip.data()) != 1) return invalid();
  return v4(ip, port);
}

io::result<socket_addr> socket_addr::from_sockaddr(const sockaddr* sa, std::size_t len) {
  if (sa && sa->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in in;
    std::memcpy(&in, sa, sizeof in);
    std::array<std::uint8_t, 4> ip;
    std::memcpy(ip.data(), &in.sin_addr, 4);
    return v4(ip, ntohs(in.sin_port));
  }
  if (sa && sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6;
    std::memcpy(&in6, sa, sizeof in6);
    std::array<std::uint8_t, 16> ip;
    std::memcpy(ip.data(), &in6.sin6_addr, 16);
    return v6(ip, ntohs(in6.sin6_port), in6.sin6_scope_id);
  }
  return kyoto::err(std::make_error_code(std::errc::address_family_not_supported));
}

std::size_t socket_addr::to_sockaddr(void* out) const noexcept {
  if (is_ipv4()) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port_);
    std::memcpy(&in.sin_addr, ip_.data(), 4);
    std::memcpy(out, &in, sizeof in);
    return sizeof in;
  }
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port_);
  in6.sin6_scope_id = scope_id_;
  std::memcpy(&in6.sin6_addr, ip_.data(), 16);
  std::memcpy(out, &in6, sizeof in6);
  return sizeof in6;
}

bool socket_addr::is_loopback() const noexcept {
  if (is_ipv4()) return ip_[0] == 127;
  static constexpr std::array<std::uint8_t, 16> one{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return ip_ == one;
}

bool socket_addr::is_unspecified() const noexcept {
  for (std::size_t i = 0; i < (is_ipv4() ? 4u : 16u); ++i) {
    if (ip_[i]) return false;
  }
  return true;
}

std::string socket_addr::ip_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(is_ipv4() ? AF_INET : AF_INET6, ip_.data(), buf, sizeof buf);
  return buf;
}

std::string socket_addr::to_string() const {
  std::string port = std::to_string(port_);
  if (is_ipv4()) return ip_string() + ":" + port;
  std::string s = "[" + ip_string();
  if (scope_id_) s += "%" + std::to_string(scope_id_);
  return s + "]:" + port;
}

std::ostream& operator<<(std::ostream& os, const socket_addr& a) { return os << a.to_string(); }

}  // namespace kyoto::net

std::size_t std::hash<kyoto::net::socket_addr>::operator()(
    const kyoto::net::socket_addr& a) const noexcept {
  std::size_t h = a.is_ipv4() ? 4 : 6;
  for (std::uint8_t b : a.ip_bytes()) h = h * 131 + b;
  h = h * 131 + a.port();
  return h * 131 + a.scope_id();
}
