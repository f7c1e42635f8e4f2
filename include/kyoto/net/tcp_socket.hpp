// net::tcp_socket: a TCP socket not yet bound or connected, for options
// that must be set before (Tokio's TcpSocket).
//   auto s = kyoto::net::tcp_socket::new_v4();
//   s->set_reuseport(true);
//   s->bind(addr);
//   auto listener = std::move(*s).listen(1024);
#pragma once

#include <cstdint>

#include "kyoto/core/task.hpp"
#include "kyoto/io/detail/io_source.hpp"
#include "kyoto/net/socket_addr.hpp"
#include "kyoto/net/tcp_listener.hpp"
#include "kyoto/net/tcp_stream.hpp"

namespace kyoto::net {

class tcp_socket {
 public:
  tcp_socket(tcp_socket&&) noexcept = default;
  tcp_socket& operator=(tcp_socket&&) noexcept = default;

  static io::result<tcp_socket> new_v4();
  static io::result<tcp_socket> new_v6();
  /// A socket of addr's family.
  static io::result<tcp_socket> new_for(const socket_addr& addr);

  io::result<void> set_reuseaddr(bool on);
  io::result<void> set_reuseport(bool on);
  io::result<void> set_send_buffer_size(std::uint32_t bytes);
  io::result<void> set_recv_buffer_size(std::uint32_t bytes);
  io::result<void> set_nodelay(bool on);
  io::result<void> bind(const socket_addr& addr);
  io::result<socket_addr> local_addr() const;

  /// Listens; the socket becomes a tcp_listener.
  io::result<tcp_listener> listen(int backlog) &&;
  /// Connects (non-blocking); the socket becomes a tcp_stream.
  task<io::result<tcp_stream>> connect(socket_addr addr) &&;

  int fd() const noexcept { return fd_.get(); }

 private:
  explicit tcp_socket(io::detail::owned_fd fd) noexcept : fd_(std::move(fd)) {}
  static task<io::result<tcp_stream>> connect_socket(io::detail::owned_fd fd, socket_addr addr);
  io::detail::owned_fd fd_;
};

}  // namespace kyoto::net
