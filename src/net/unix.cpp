#include "kyoto/net/unix.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

#include "net/sockopt.hpp"

namespace kyoto::net {
namespace {

using io::detail::direction;
using io::detail::last_error;

constexpr std::size_t path_room = sizeof(sockaddr_un{}.sun_path);

io::result<unix_socket_addr> name_of(int fd, detail::name_fn fn) {
  sockaddr_un sun{};
  socklen_t len = sizeof sun;
  if (fn(fd, reinterpret_cast<sockaddr*>(&sun), &len) < 0) return kyoto::err(last_error());
  return unix_socket_addr::from_sockaddr(&sun, len);
}

io::result<io::detail::io_source> bound_socket(int type, const unix_socket_addr& addr) {
  auto fd = detail::new_socket(AF_UNIX, type);
  if (!fd) return kyoto::err(fd.error());
  if (!addr.is_unnamed()) {
    sockaddr_un sun{};
    auto len = static_cast<socklen_t>(addr.to_sockaddr(&sun));
    if (::bind(fd->get(), reinterpret_cast<sockaddr*>(&sun), len) < 0) {
      return kyoto::err(last_error());
    }
  }
  return io::detail::io_source::adopt(fd->release());
}

io::result<std::pair<io::detail::io_source, io::detail::io_source>> socket_pair(int type) {
  int sv[2];
  if (::socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
    return kyoto::err(last_error());
  }
  auto a = io::detail::io_source::adopt(sv[0]);
  if (!a) {
    ::close(sv[1]);
    return kyoto::err(a.error());
  }
  auto b = io::detail::io_source::adopt(sv[1]);
  if (!b) return kyoto::err(b.error());
  return std::pair(std::move(*a), std::move(*b));
}

}  // namespace

// ---- unix_socket_addr ----

io::result<unix_socket_addr> unix_socket_addr::from_pathname(std::string_view path) {
  if (path.empty() || path.find('\0') != std::string_view::npos) {
    return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  }
  if (path.size() >= path_room)
    return kyoto::err(std::make_error_code(std::errc::filename_too_long));
  unix_socket_addr a;
  a.kind_ = kind::pathname;
  a.name_ = path;
  return a;
}

io::result<unix_socket_addr> unix_socket_addr::from_abstract_name(std::string_view name) {
  if (name.size() + 1 > path_room)
    return kyoto::err(std::make_error_code(std::errc::filename_too_long));
  unix_socket_addr a;
  a.kind_ = kind::abstract;
  a.name_ = name;
  return a;
}

io::result<unix_socket_addr> unix_socket_addr::from_sockaddr(const void* sa, std::size_t len) {
  constexpr std::size_t head = offsetof(sockaddr_un, sun_path);
  sockaddr_un sun{};
  if (len > sizeof sun) len = sizeof sun;
  std::memcpy(&sun, sa, len);
  if (len < head || sun.sun_family != AF_UNIX) {
    if (len <= head) return unix_socket_addr();
    return kyoto::err(std::make_error_code(std::errc::address_family_not_supported));
  }
  std::size_t n = len - head;
  if (n == 0) return unix_socket_addr();
  if (sun.sun_path[0] == '\0') return from_abstract_name(std::string_view(sun.sun_path + 1, n - 1));
  return from_pathname(std::string_view(sun.sun_path, ::strnlen(sun.sun_path, n)));
}

std::optional<std::string> unix_socket_addr::as_pathname() const {
  if (kind_ != kind::pathname) return std::nullopt;
  return name_;
}

std::optional<std::string> unix_socket_addr::as_abstract_name() const {
  if (kind_ != kind::abstract) return std::nullopt;
  return name_;
}

std::string unix_socket_addr::to_string() const {
  switch (kind_) {
    case kind::pathname:
      return name_;
    case kind::abstract:
      return "@" + name_;
    case kind::unnamed:
      break;
  }
  return "(unnamed)";
}

std::size_t unix_socket_addr::to_sockaddr(void* out) const noexcept {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::size_t len = offsetof(sockaddr_un, sun_path);
  if (kind_ == kind::pathname) {
    std::memcpy(sun.sun_path, name_.data(), name_.size());
    len += name_.size() + 1;
  } else if (kind_ == kind::abstract) {
    std::memcpy(sun.sun_path + 1, name_.data(), name_.size());
    len += name_.size() + 1;
  }
  std::memcpy(out, &sun, sizeof sun);
  return len;
}

// ---- unix_stream ----

task<io::result<unix_stream>> unix_stream::connect(std::string path) {
  auto addr = unix_socket_addr::from_pathname(path);
  if (!addr) co_return kyoto::err(addr.error());
  co_return co_await connect_addr(std::move(*addr));
}

task<io::result<unix_stream>> unix_stream::connect_addr(unix_socket_addr addr) {
  auto fd = detail::new_socket(AF_UNIX, SOCK_STREAM);
  if (!fd) co_return kyoto::err(fd.error());
  // Registered after connect() started (see tcp.cpp's connect_socket).
  sockaddr_un sun{};
  auto len = static_cast<socklen_t>(addr.to_sockaddr(&sun));
  int r;
  do {
    r = ::connect(fd->get(), reinterpret_cast<sockaddr*>(&sun), len);
  } while (r < 0 && errno == EINTR);
  if (r < 0 && errno != EINPROGRESS && errno != EAGAIN) co_return kyoto::err(last_error());
  auto src = io::detail::io_source::adopt(fd->release());
  if (!src) co_return kyoto::err(src.error());
  if (r < 0) {
    auto ev = co_await io::detail::direction_ready(src->reg(), direction::write);
    if (!ev) co_return kyoto::err(ev.error());
    auto so_error = detail::get_int_option(src->fd(), SOL_SOCKET, SO_ERROR);
    if (!so_error) co_return kyoto::err(so_error.error());
    if (*so_error) co_return kyoto::err(std::error_code(*so_error, std::system_category()));
  }
  co_return unix_stream(std::move(*src));
}

io::result<std::pair<unix_stream, unix_stream>> unix_stream::pair() {
  auto p = socket_pair(SOCK_STREAM);
  if (!p) return kyoto::err(p.error());
  return std::pair(unix_stream(std::move(p->first)), unix_stream(std::move(p->second)));
}

io::result<unix_stream> unix_stream::from_fd(int fd) {
  if (auto r = detail::set_nonblocking(fd); !r) {
    ::close(fd);
    return kyoto::err(r.error());
  }
  auto src = io::detail::io_source::adopt(fd);
  if (!src) return kyoto::err(src.error());
  return unix_stream(std::move(*src));
}

io::result<std::size_t> unix_stream::try_read(std::span<std::byte> buf) {
  return src_.try_io(direction::read, [&] { return ::recv(fd(), buf.data(), buf.size(), 0); });
}
io::result<std::size_t> unix_stream::try_write(std::span<const std::byte> buf) {
  return src_.try_io(direction::write,
                     [&] { return ::send(fd(), buf.data(), buf.size(), MSG_NOSIGNAL); });
}
io::result<unix_socket_addr> unix_stream::local_addr() const {
  return name_of(fd(), &::getsockname);
}
io::result<unix_socket_addr> unix_stream::peer_addr() const {
  return name_of(fd(), &::getpeername);
}
io::result<void> unix_stream::shutdown(shutdown_how how) {
  int h = how == shutdown_how::read ? SHUT_RD : how == shutdown_how::write ? SHUT_WR : SHUT_RDWR;
  return detail::check(::shutdown(fd(), h));
}

// ---- unix_listener ----

io::result<unix_listener> unix_listener::bind(std::string_view path) {
  auto addr = unix_socket_addr::from_pathname(path);
  if (!addr) return kyoto::err(addr.error());
  return bind_addr(*addr);
}

io::result<unix_listener> unix_listener::bind_addr(const unix_socket_addr& addr) {
  auto src = bound_socket(SOCK_STREAM, addr);
  if (!src) return kyoto::err(src.error());
  if (::listen(src->fd(), 1024) < 0) return kyoto::err(last_error());
  return unix_listener(std::move(*src));
}

poll_result<unix_listener::accept_output> unix_listener::poll_accept(context& cx) {
  for (;;) {
    auto ev = src_.reg().poll_ready(cx, direction::read);
    if (ev.is_pending()) return pending;
    if (!ev.value()) return accept_output(kyoto::err(ev.value().error()));
    sockaddr_un sun{};
    socklen_t len = sizeof sun;
    int fd =
        ::accept4(src_.fd(), reinterpret_cast<sockaddr*>(&sun), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      auto peer = unix_socket_addr::from_sockaddr(&sun, len);
      auto src = io::detail::io_source::adopt(fd);
      if (!src) return accept_output(kyoto::err(src.error()));
      return accept_output(std::pair<unix_stream, unix_socket_addr>(
          unix_stream(std::move(*src)), peer ? std::move(*peer) : unix_socket_addr()));
    }
    int e = errno;
    if (io::detail::would_block(e)) {
      src_.reg().clear_readiness(*ev.value());
      continue;
    }
    if (e == EINTR || e == ECONNABORTED || e == EPROTO) continue;
    if (e == EMFILE || e == ENFILE) src_.reg().clear_readiness(*ev.value());  // never spin
    return accept_output(kyoto::err(std::error_code(e, std::system_category())));
  }
}

io::result<unix_socket_addr> unix_listener::local_addr() const {
  return name_of(fd(), &::getsockname);
}

// ---- unix_datagram ----

io::result<unix_datagram> unix_datagram::bind(std::string_view path) {
  auto addr = unix_socket_addr::from_pathname(path);
  if (!addr) return kyoto::err(addr.error());
  return bind_addr(*addr);
}

io::result<unix_datagram> unix_datagram::bind_addr(const unix_socket_addr& addr) {
  auto src = bound_socket(SOCK_DGRAM, addr);
  if (!src) return kyoto::err(src.error());
  return unix_datagram(std::move(*src));
}

io::result<unix_datagram> unix_datagram::unbound() { return bind_addr(unix_socket_addr()); }

io::result<std::pair<unix_datagram, unix_datagram>> unix_datagram::pair() {
  auto p = socket_pair(SOCK_DGRAM);
  if (!p) return kyoto::err(p.error());
  return std::pair(unix_datagram(std::move(p->first)), unix_datagram(std::move(p->second)));
}

io::result<void> unix_datagram::connect(std::string_view path) {
  auto addr = unix_socket_addr::from_pathname(path);
  if (!addr) return kyoto::err(addr.error());
  sockaddr_un sun{};
  auto len = static_cast<socklen_t>(addr->to_sockaddr(&sun));
  return detail::check(::connect(fd(), reinterpret_cast<sockaddr*>(&sun), len));
}

poll_result<io::result<std::size_t>> unix_datagram::poll_send_to(context& cx,
                                                                 std::span<const std::byte> buf,
                                                                 const unix_socket_addr& to) {
  sockaddr_un sun{};
  auto len = static_cast<socklen_t>(to.to_sockaddr(&sun));
  return src_.poll_io(cx, direction::write, [&] {
    return ::sendto(fd(), buf.data(), buf.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&sun),
                    len);
  });
}

poll_result<unix_datagram::recv_from_output> unix_datagram::poll_recv_from(
    context& cx, std::span<std::byte> buf) {
  sockaddr_un sun{};
  socklen_t len = sizeof sun;
  auto r = src_.poll_io(cx, direction::read, [&] {
    len = sizeof sun;
    return ::recvfrom(fd(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&sun), &len);
  });
  if (r.is_pending()) return pending;
  if (!r.value()) return recv_from_output(kyoto::err(r.value().error()));
  auto from = unix_socket_addr::from_sockaddr(&sun, len);
  return recv_from_output(
      std::pair<std::size_t, unix_socket_addr>(*r.value(), from ? *from : unix_socket_addr()));
}

poll_result<io::result<std::size_t>> unix_datagram::poll_send(context& cx,
                                                              std::span<const std::byte> buf) {
  return src_.poll_io(cx, direction::write,
                      [&] { return ::send(fd(), buf.data(), buf.size(), MSG_NOSIGNAL); });
}

poll_result<io::result<std::size_t>> unix_datagram::poll_recv(context& cx,
                                                              std::span<std::byte> buf) {
  return src_.poll_io(cx, direction::read, [&] { return ::recv(fd(), buf.data(), buf.size(), 0); });
}

io::result<unix_socket_addr> unix_datagram::local_addr() const {
  return name_of(fd(), &::getsockname);
}
io::result<unix_socket_addr> unix_datagram::peer_addr() const {
  return name_of(fd(), &::getpeername);
}

}  // namespace kyoto::net
