// net::socket_addr: an IPv4 or IPv6 address and port (Rust's SocketAddr).
//   auto a = kyoto::net::socket_addr::parse("127.0.0.1:8080");   // io::result
//   auto b = kyoto::net::socket_addr::parse("[::1]:8080");
//   std::string s = a->to_string();                               // "127.0.0.1:8080"
// parse never resolves names (see lookup_host) and rejects anything that is
// not exactly an address and a port with std::errc::invalid_argument.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include "kyoto/io/result.hpp"

struct sockaddr;

namespace kyoto::net {

class socket_addr {
 public:
  /// 0.0.0.0:0
  socket_addr() noexcept;
  /// An IPv4 address from its four bytes (network order: a.b.c.d).
  static socket_addr v4(std::array<std::uint8_t, 4> ip, std::uint16_t port) noexcept;
  /// An IPv6 address from its sixteen bytes.
  static socket_addr v6(const std::array<std::uint8_t, 16>& ip, std::uint16_t port,
                        std::uint32_t scope_id = 0) noexcept;
  /// "a.b.c.d:port" or "[v6]:port" (a numeric scope "%n" is accepted).
  static io::result<socket_addr> parse(std::string_view text);
  /// From a sockaddr of family AF_INET or AF_INET6.
  static io::result<socket_addr> from_sockaddr(const sockaddr* sa, std::size_t len);

  bool is_ipv4() const noexcept { return family_ == 4; }
  bool is_ipv6() const noexcept { return family_ == 6; }
  std::uint16_t port() const noexcept { return port_; }
  void set_port(std::uint16_t p) noexcept { port_ = p; }
  std::uint32_t scope_id() const noexcept { return scope_id_; }
  /// The address bytes (4 used for IPv4, 16 for IPv6).
  const std::array<std::uint8_t, 16>& ip_bytes() const noexcept { return ip_; }
  bool is_loopback() const noexcept;
  bool is_unspecified() const noexcept;

  /// "127.0.0.1" / "::1" (no port).
  std::string ip_string() const;
  /// "127.0.0.1:8080" / "[::1]:8080".
  std::string to_string() const;

  /// Fills `out` (a sockaddr_storage or larger) and returns the length used.
  std::size_t to_sockaddr(void* out) const noexcept;

  friend bool operator==(const socket_addr&, const socket_addr&) noexcept = default;
  friend std::strong_ordering operator<=>(const socket_addr&,
                                          const socket_addr&) noexcept = default;

 private:
  std::uint8_t family_ = 4;  // 4 or 6 (first: IPv4 sorts before IPv6)
  std::array<std::uint8_t, 16> ip_{};
  std::uint16_t port_ = 0;
  std::uint32_t scope_id_ = 0;
};

std::ostream& operator<<(std::ostream& os, const socket_addr& a);

}  // namespace kyoto::net

template <>
struct std::hash<kyoto::net::socket_addr> {
  std::size_t operator()(const kyoto::net::socket_addr& a) const noexcept;
};
