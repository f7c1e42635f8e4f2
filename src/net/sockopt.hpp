// Small helpers shared by the socket types: options, addresses, creation.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>

#include "kyoto/io/detail/io_source.hpp"
#include "kyoto/net/socket_addr.hpp"

namespace kyoto::net::detail {

inline io::result<void> check(int r) {
  if (r < 0) return kyoto::err(io::detail::last_error());
  return {};
}

inline io::result<void> set_int_option(int fd, int level, int name, int value) {
  return check(::setsockopt(fd, level, name, &value, sizeof value));
}

inline io::result<int> get_int_option(int fd, int level, int name) {
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd, level, name, &value, &len) < 0) return kyoto::err(io::detail::last_error());
  return value;
}

inline io::result<void> set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return kyoto::err(io::detail::last_error());
  if (!(flags & O_NONBLOCK) && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return kyoto::err(io::detail::last_error());
  }
  return {};
}

/// A new non-blocking, close-on-exec socket.
inline io::result<io::detail::owned_fd> new_socket(int domain, int type) {
  int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return kyoto::err(io::detail::last_error());
  return io::detail::owned_fd(fd);
}

using name_fn = int (*)(int, sockaddr*, socklen_t*);
inline io::result<socket_addr> sock_name(int fd, name_fn fn) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fn(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
    return kyoto::err(io::detail::last_error());
  }
  return socket_addr::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

inline io::result<void> bind_to(int fd, const socket_addr& addr) {
  sockaddr_storage ss{};
  auto len = static_cast<socklen_t>(addr.to_sockaddr(&ss));
  return check(::bind(fd, reinterpret_cast<sockaddr*>(&ss), len));
}

}  // namespace kyoto::net::detail
