// net::udp_socket: a UDP socket (Tokio's UdpSocket).
//   auto sock = kyoto::net::udp_socket::bind(*kyoto::net::socket_addr::parse("127.0.0.1:0"));
//   co_await sock->send_to(std::as_bytes(std::span("ping", 4)), peer);
//   std::array<std::byte, 1500> buf;
//   auto got = co_await sock->recv_from(buf);     // io::result<pair<size_t, socket_addr>>
// A datagram longer than the buffer is truncated (the rest is dropped, as
// recvfrom does). Cancel safety: every operation is cancel safe (a datagram
// is either received whole by a completed future or left in the socket).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "kyoto/io/detail/io_source.hpp"
#include "kyoto/net/socket_addr.hpp"

namespace kyoto::net {

class udp_socket {
 public:
  udp_socket() noexcept = default;
  udp_socket(udp_socket&&) noexcept = default;
  udp_socket& operator=(udp_socket&&) noexcept = default;

  static io::result<udp_socket> bind(const socket_addr& addr);
  static io::result<udp_socket> bind(std::string_view addr);
  /// Adopts a UDP socket descriptor (made non-blocking here).
  static io::result<udp_socket> from_fd(int fd);

  /// Sets the default peer: send / recv then talk to it only.
  io::result<void> connect(const socket_addr& addr);

  using recv_from_output = io::result<std::pair<std::size_t, socket_addr>>;
  poll_result<io::result<std::size_t>> poll_send_to(context& cx, std::span<const std::byte> buf,
                                                    const socket_addr& to);
  poll_result<recv_from_output> poll_recv_from(context& cx, std::span<std::byte> buf);
  poll_result<recv_from_output> poll_peek_from(context& cx, std::span<std::byte> buf);
  poll_result<io::result<std::size_t>> poll_send(context& cx, std::span<const std::byte> buf);
  poll_result<io::result<std::size_t>> poll_recv(context& cx, std::span<std::byte> buf);

  /// Futures of the operations above.
  auto send_to(std::span<const std::byte> buf, socket_addr to) noexcept {
    return io::detail::poll_fn([this, buf, to](context& cx) { return poll_send_to(cx, buf, to); });
  }
  auto recv_from(std::span<std::byte> buf) noexcept {
    return io::detail::poll_fn([this, buf](context& cx) { return poll_recv_from(cx, buf); });
  }
  auto peek_from(std::span<std::byte> buf) noexcept {
    return io::detail::poll_fn([this, buf](context& cx) { return poll_peek_from(cx, buf); });
  }
  auto send(std::span<const std::byte> buf) noexcept {
    return io::detail::poll_fn([this, buf](context& cx) { return poll_send(cx, buf); });
  }
  auto recv(std::span<std::byte> buf) noexcept {
    return io::detail::poll_fn([this, buf](context& cx) { return poll_recv(cx, buf); });
  }

  /// Without waiting; std::errc::operation_would_block if not ready.
  io::result<std::size_t> try_send_to(std::span<const std::byte> buf, const socket_addr& to);
  recv_from_output try_recv_from(std::span<std::byte> buf);
  io::result<std::size_t> try_send(std::span<const std::byte> buf);
  io::result<std::size_t> try_recv(std::span<std::byte> buf);

  io::detail::readiness_wait readable() noexcept {
    return io::detail::readiness_wait(src_.reg(), io::detail::read_mask);
  }
  io::detail::readiness_wait writable() noexcept {
    return io::detail::readiness_wait(src_.reg(), io::detail::write_mask);
  }

  io::result<void> set_broadcast(bool on);
  io::result<bool> broadcast() const;
  io::result<void> set_ttl(std::uint32_t ttl);
  io::result<void> set_multicast_loop_v4(bool on);
  io::result<void> set_multicast_ttl_v4(std::uint32_t ttl);
  io::result<void> join_multicast_v4(const socket_addr& group, const socket_addr& iface);
  io::result<void> leave_multicast_v4(const socket_addr& group, const socket_addr& iface);
  io::result<void> join_multicast_v6(const socket_addr& group, std::uint32_t iface_index);
  io::result<void> leave_multicast_v6(const socket_addr& group, std::uint32_t iface_index);
  io::result<socket_addr> local_addr() const;
  io::result<socket_addr> peer_addr() const;
  int fd() const noexcept { return src_.fd(); }

 private:
  explicit udp_socket(io::detail::io_source src) noexcept : src_(std::move(src)) {}
  io::detail::io_source src_;
};

}  // namespace kyoto::net
