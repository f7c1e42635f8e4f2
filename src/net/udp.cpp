#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "kyoto/net/udp_socket.hpp"
#include "net/sockopt.hpp"

namespace kyoto::net {
namespace {
using io::detail::direction;

udp_socket::recv_from_output recv_from_result(io::result<std::size_t> n, const sockaddr_storage& ss,
                                              socklen_t len) {
  if (!n) return kyoto::err(n.error());
  auto from = socket_addr::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
  return std::pair<std::size_t, socket_addr>(*n, from ? *from : socket_addr());
}
}  // namespace

io::result<udp_socket> udp_socket::bind(const socket_addr& addr) {
  auto fd = detail::new_socket(addr.is_ipv4() ? AF_INET : AF_INET6, SOCK_DGRAM);
  if (!fd) return kyoto::err(fd.error());
  if (auto r = detail::bind_to(fd->get(), addr); !r) return kyoto::err(r.error());
  auto src = io::detail::io_source::adopt(fd->release());
  if (!src) return kyoto::err(src.error());
  return udp_socket(std::move(*src));
}

io::result<udp_socket> udp_socket::bind(std::string_view addr) {
  auto a = socket_addr::parse(addr);
  if (!a) return kyoto::err(a.error());
  return bind(*a);
}

io::result<udp_socket> udp_socket::from_fd(int fd) {
  if (auto r = detail::set_nonblocking(fd); !r) {
    ::close(fd);
    return kyoto::err(r.error());
  }
  auto src = io::detail::io_source::adopt(fd);
  if (!src) return kyoto::err(src.error());
  return udp_socket(std::move(*src));
}

io::result<void> udp_socket::connect(const socket_addr& addr) {
  sockaddr_storage ss{};
  auto len = static_cast<socklen_t>(addr.to_sockaddr(&ss));
  return detail::check(::connect(fd(), reinterpret_cast<sockaddr*>(&ss), len));
}

poll_result<io::result<std::size_t>> udp_socket::poll_send_to(context& cx,
                                                              std::span<const std::byte> buf,
                                                              const socket_addr& to) {
  sockaddr_storage ss{};
  auto len = static_cast<socklen_t>(to.to_sockaddr(&ss));
  return src_.poll_io(cx, direction::write, [&] {
    return ::sendto(fd(), buf.data(), buf.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&ss),
                    len);
  });
}

poll_result<udp_socket::recv_from_output> udp_socket::poll_recv_from(context& cx,
                                                                     std::span<std::byte> buf) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  auto r = src_.poll_io(cx, direction::read, [&] {
    len = sizeof ss;
    return ::recvfrom(fd(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
  });
  if (r.is_pending()) return pending;
  return recv_from_result(std::move(r.value()), ss, len);
}

poll_result<udp_socket::recv_from_output> udp_socket::poll_peek_from(context& cx,
                                                                     std::span<std::byte> buf) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  auto r = src_.poll_io(cx, direction::read, [&] {
    len = sizeof ss;
    return ::recvfrom(fd(), buf.data(), buf.size(), MSG_PEEK, reinterpret_cast<sockaddr*>(&ss),
                      &len);
  });
  if (r.is_pending()) return pending;
  return recv_from_result(std::move(r.value()), ss, len);
}

poll_result<io::result<std::size_t>> udp_socket::poll_send(context& cx,
                                                           std::span<const std::byte> buf) {
  return src_.poll_io(cx, direction::write,
                      [&] { return ::send(fd(), buf.data(), buf.size(), MSG_NOSIGNAL); });
}

poll_result<io::result<std::size_t>> udp_socket::poll_recv(context& cx, std::span<std::byte> buf) {
  return src_.poll_io(cx, direction::read, [&] { return ::recv(fd(), buf.data(), buf.size(), 0); });
}

io::result<std::size_t> udp_socket::try_send_to(std::span<const std::byte> buf,
                                                const socket_addr& to) {
  sockaddr_storage ss{};
  auto len = static_cast<socklen_t>(to.to_sockaddr(&ss));
  return src_.try_io(direction::write, [&] {
    return ::sendto(fd(), buf.data(), buf.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&ss),
                    len);
  });
}

udp_socket::recv_from_output udp_socket::try_recv_from(std::span<std::byte> buf) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  auto n = src_.try_io(direction::read, [&] {
    len = sizeof ss;
    return ::recvfrom(fd(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
  });
  return recv_from_result(std::move(n), ss, len);
}

io::result<std::size_t> udp_socket::try_send(std::span<const std::byte> buf) {
  return src_.try_io(direction::write,
                     [&] { return ::send(fd(), buf.data(), buf.size(), MSG_NOSIGNAL); });
}

io::result<std::size_t> udp_socket::try_recv(std::span<std::byte> buf) {
  return src_.try_io(direction::read, [&] { return ::recv(fd(), buf.data(), buf.size(), 0); });
}

io::result<void> udp_socket::set_broadcast(bool on) {
  return detail::set_int_option(fd(), SOL_SOCKET, SO_BROADCAST, on ? 1 : 0);
}
io::result<bool> udp_socket::broadcast() const {
  auto v = detail::get_int_option(fd(), SOL_SOCKET, SO_BROADCAST);
  if (!v) return kyoto::err(v.error());
  return *v != 0;
}
io::result<void> udp_socket::set_ttl(std::uint32_t ttl) {
  return detail::set_int_option(fd(), IPPROTO_IP, IP_TTL, static_cast<int>(ttl));
}
io::result<void> udp_socket::set_multicast_loop_v4(bool on) {
  return detail::set_int_option(fd(), IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0);
}
io::result<void> udp_socket::set_multicast_ttl_v4(std::uint32_t ttl) {
  return detail::set_int_option(fd(), IPPROTO_IP, IP_MULTICAST_TTL, static_cast<int>(ttl));
}

namespace {
io::result<void> multicast_v4(int fd, int op, const socket_addr& group, const socket_addr& iface) {
  if (!group.is_ipv4() || !iface.is_ipv4()) {
    return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  }
  ip_mreq m{};
  std::memcpy(&m.imr_multiaddr, group.ip_bytes().data(), 4);
  std::memcpy(&m.imr_interface, iface.ip_bytes().data(), 4);
  return detail::check(::setsockopt(fd, IPPROTO_IP, op, &m, sizeof m));
}
io::result<void> multicast_v6(int fd, int op, const socket_addr& group, std::uint32_t iface) {
  if (!group.is_ipv6()) return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  ipv6_mreq m{};
  std::memcpy(&m.ipv6mr_multiaddr, group.ip_bytes().data(), 16);
  m.ipv6mr_interface = iface;
  return detail::check(::setsockopt(fd, IPPROTO_IPV6, op, &m, sizeof m));
}
}  // namespace

io::result<void> udp_socket::join_multicast_v4(const socket_addr& g, const socket_addr& i) {
  return multicast_v4(fd(), IP_ADD_MEMBERSHIP, g, i);
}
io::result<void> udp_socket::leave_multicast_v4(const socket_addr& g, const socket_addr& i) {
  return multicast_v4(fd(), IP_DROP_MEMBERSHIP, g, i);
}
io::result<void> udp_socket::join_multicast_v6(const socket_addr& g, std::uint32_t i) {
  return multicast_v6(fd(), IPV6_ADD_MEMBERSHIP, g, i);
}
io::result<void> udp_socket::leave_multicast_v6(const socket_addr& g, std::uint32_t i) {
  return multicast_v6(fd(), IPV6_DROP_MEMBERSHIP, g, i);
}
io::result<socket_addr> udp_socket::local_addr() const {
  return detail::sock_name(fd(), &::getsockname);
}
io::result<socket_addr> udp_socket::peer_addr() const {
  return detail::sock_name(fd(), &::getpeername);
}

}  // namespace kyoto::net
