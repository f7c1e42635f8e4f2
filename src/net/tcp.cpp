// tcp_stream, tcp_listener and tcp_socket over io_source.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <mutex>

#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/net/lookup_host.hpp"
#include "kyoto/net/tcp_listener.hpp"
#include "kyoto/net/tcp_socket.hpp"
#include "kyoto/net/tcp_stream.hpp"
#include "net/sockopt.hpp"

namespace kyoto::net {
namespace {

using io::detail::direction;
using io::detail::last_error;

// The spare descriptor of the EMFILE trick (see tcp_listener.hpp): opened
// when the first listener is made, so that it exists before exhaustion.
kyoto::detail::mutex spare_lock;
int spare_fd = -1;  // guarded by spare_lock

void reserve_spare() {
  kyoto::detail::lock_guard guard(spare_lock);
  if (spare_fd < 0) spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

// Accepts and closes the pending connections using the spare descriptor;
// true if the backlog was drained (accept answered EAGAIN).
bool shed_pending_connections(int listen_fd) {
  kyoto::detail::lock_guard guard(spare_lock);
  for (int i = 0; i < 1024; ++i) {
    if (spare_fd < 0) return false;
    ::close(spare_fd);
    spare_fd = -1;
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    int e = errno;
    if (fd >= 0) ::close(fd);
    spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io::detail::would_block(e);
  }
  return false;
}

}  // namespace

// ---- tcp_stream ----

task<io::result<tcp_stream>> tcp_stream::connect(socket_addr addr) {
  auto s = tcp_socket::new_for(addr);
  if (!s) co_return kyoto::err(s.error());
  co_return co_await std::move(*s).connect(addr);
}

task<io::result<tcp_stream>> tcp_stream::connect(std::string host_port) {
  auto addrs = co_await lookup_host(std::move(host_port));
  if (!addrs) co_return kyoto::err(addrs.error());
  std::error_code last = std::make_error_code(std::errc::host_unreachable);
  for (const socket_addr& a : *addrs) {
    auto s = co_await connect(a);
    if (s) co_return s;
    last = s.error();
  }
  co_return kyoto::err(last);
}

io::result<tcp_stream> tcp_stream::from_fd(int fd) {
  if (auto r = detail::set_nonblocking(fd); !r) {
    ::close(fd);
    return kyoto::err(r.error());
  }
  auto src = io::detail::io_source::adopt(fd);
  if (!src) return kyoto::err(src.error());
  return tcp_stream(std::move(*src));
}

poll_result<io::result<std::size_t>> tcp_stream::poll_write_vectored(
    context& cx, std::span<const std::span<const std::byte>> bufs) {
  return src_.poll_write_vectored(cx, bufs);  // sendmsg, MSG_NOSIGNAL
}

io::result<std::size_t> tcp_stream::try_read(std::span<std::byte> buf) {
  return src_.try_io(direction::read, [&] { return ::recv(fd(), buf.data(), buf.size(), 0); });
}

io::result<std::size_t> tcp_stream::try_write(std::span<const std::byte> buf) {
  return src_.try_io(direction::write,
                     [&] { return ::send(fd(), buf.data(), buf.size(), MSG_NOSIGNAL); });
}

io::result<void> tcp_stream::set_nodelay(bool on) {
  return detail::set_int_option(fd(), IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
}

io::result<bool> tcp_stream::nodelay() const {
  auto v = detail::get_int_option(fd(), IPPROTO_TCP, TCP_NODELAY);
  if (!v) return kyoto::err(v.error());
  return *v != 0;
}

io::result<void> tcp_stream::set_linger(std::optional<std::chrono::seconds> linger) {
  ::linger l{};
  l.l_onoff = linger ? 1 : 0;
  l.l_linger = linger ? static_cast<int>(linger->count()) : 0;
  return detail::check(::setsockopt(fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l));
}

io::result<void> tcp_stream::set_keepalive(bool on) {
  return detail::set_int_option(fd(), SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0);
}

io::result<void> tcp_stream::set_ttl(std::uint32_t ttl) {
  return detail::set_int_option(fd(), IPPROTO_IP, IP_TTL, static_cast<int>(ttl));
}

io::result<socket_addr> tcp_stream::peer_addr() const {
  return detail::sock_name(fd(), &::getpeername);
}

io::result<socket_addr> tcp_stream::local_addr() const {
  return detail::sock_name(fd(), &::getsockname);
}

io::result<void> tcp_stream::shutdown(shutdown_how how) {
  int h = how == shutdown_how::read ? SHUT_RD : how == shutdown_how::write ? SHUT_WR : SHUT_RDWR;
  return detail::check(::shutdown(fd(), h));
}

std::pair<owned_read_half, owned_write_half> tcp_stream::into_split() && {
  auto shared = std::make_shared<tcp_stream>(std::move(*this));
  return {owned_read_half(shared), owned_write_half(shared)};
}

owned_write_half& owned_write_half::operator=(owned_write_half&& o) noexcept {
  if (this != &o) {
    if (s_) (void)s_->shutdown(shutdown_how::write);
    s_ = std::move(o.s_);
  }
  return *this;
}

owned_write_half::~owned_write_half() {
  if (s_) (void)s_->shutdown(shutdown_how::write);
}

// ---- tcp_listener ----

io::result<tcp_listener> tcp_listener::bind(const socket_addr& addr) {
  auto s = tcp_socket::new_for(addr);
  if (!s) return kyoto::err(s.error());
  if (auto r = s->set_reuseaddr(true); !r) return kyoto::err(r.error());
  if (auto r = s->bind(addr); !r) return kyoto::err(r.error());
  return std::move(*s).listen(1024);
}

io::result<tcp_listener> tcp_listener::bind(std::string_view addr) {
  auto a = socket_addr::parse(addr);
  if (!a) return kyoto::err(a.error());
  return bind(*a);
}

io::result<tcp_listener> tcp_listener::from_fd(int fd) {
  if (auto r = detail::set_nonblocking(fd); !r) {
    ::close(fd);
    return kyoto::err(r.error());
  }
  reserve_spare();
  auto src = io::detail::io_source::adopt(fd, io::interest::readable);
  if (!src) return kyoto::err(src.error());
  return tcp_listener(std::move(*src));
}

poll_result<tcp_listener::accept_output> tcp_listener::poll_accept(context& cx) {
  for (;;) {
    auto ev = src_.reg().poll_ready(cx, direction::read);
    if (ev.is_pending()) return pending;
    if (!ev.value()) return accept_output(kyoto::err(ev.value().error()));
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd =
        ::accept4(src_.fd(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      auto peer = socket_addr::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
      auto src = io::detail::io_source::adopt(fd);
      if (!src) return accept_output(kyoto::err(src.error()));
      return accept_output(std::pair<tcp_stream, socket_addr>(tcp_stream(std::move(*src)),
                                                              peer ? *peer : socket_addr()));
    }
    int e = errno;
    if (io::detail::would_block(e)) {
      src_.reg().clear_readiness(*ev.value());
      continue;
    }
    if (e == EINTR || e == ECONNABORTED || e == EPROTO) continue;
    if (e == EMFILE || e == ENFILE) {
      // Shed the backlog so that edge-triggered readiness is really
      // consumed; clear it either way so that the caller's loop waits
      // for the next connection instead of spinning.
      shed_pending_connections(src_.fd());
      src_.reg().clear_readiness(*ev.value());
    }
    return accept_output(kyoto::err(std::error_code(e, std::system_category())));
  }
}

io::result<socket_addr> tcp_listener::local_addr() const {
  return detail::sock_name(src_.fd(), &::getsockname);
}

// ---- tcp_socket ----

io::result<tcp_socket> tcp_socket::new_v4() {
  auto fd = detail::new_socket(AF_INET, SOCK_STREAM);
  if (!fd) return kyoto::err(fd.error());
  return tcp_socket(std::move(*fd));
}

io::result<tcp_socket> tcp_socket::new_v6() {
  auto fd = detail::new_socket(AF_INET6, SOCK_STREAM);
  if (!fd) return kyoto::err(fd.error());
  return tcp_socket(std::move(*fd));
}

io::result<tcp_socket> tcp_socket::new_for(const socket_addr& addr) {
  return addr.is_ipv4() ? new_v4() : new_v6();
}

io::result<void> tcp_socket::set_reuseaddr(bool on) {
  return detail::set_int_option(fd(), SOL_SOCKET, SO_REUSEADDR, on ? 1 : 0);
}
io::result<void> tcp_socket::set_reuseport(bool on) {
  return detail::set_int_option(fd(), SOL_SOCKET, SO_REUSEPORT, on ? 1 : 0);
}
io::result<void> tcp_socket::set_send_buffer_size(std::uint32_t bytes) {
  return detail::set_int_option(fd(), SOL_SOCKET, SO_SNDBUF, static_cast<int>(bytes));
}
io::result<void> tcp_socket::set_recv_buffer_size(std::uint32_t bytes) {
  return detail::set_int_option(fd(), SOL_SOCKET, SO_RCVBUF, static_cast<int>(bytes));
}
io::result<void> tcp_socket::set_nodelay(bool on) {
  return detail::set_int_option(fd(), IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
}
io::result<void> tcp_socket::bind(const socket_addr& addr) { return detail::bind_to(fd(), addr); }
io::result<socket_addr> tcp_socket::local_addr() const {
  return detail::sock_name(fd(), &::getsockname);
}

io::result<tcp_listener> tcp_socket::listen(int backlog) && {
  if (::listen(fd(), backlog) < 0) return kyoto::err(last_error());
  reserve_spare();
  auto src = io::detail::io_source::adopt(fd_.release(), io::interest::readable);
  if (!src) return kyoto::err(src.error());
  return tcp_listener(std::move(*src));
}

task<io::result<tcp_stream>> tcp_socket::connect_socket(io::detail::owned_fd fd, socket_addr addr) {
  // Registered after connect() started: an unconnected socket polls as
  // hung up, and a driver turning on another worker could record that
  // (final) state between the registration and the connect.
  sockaddr_storage ss{};
  auto len = static_cast<socklen_t>(addr.to_sockaddr(&ss));
  int r;
  do {
    r = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len);
  } while (r < 0 && errno == EINTR);
  if (r < 0 && errno != EINPROGRESS && errno != EALREADY) co_return kyoto::err(last_error());
  auto src = io::detail::io_source::adopt(fd.release());
  if (!src) co_return kyoto::err(src.error());
  if (r < 0) {
    for (;;) {
      auto ev = co_await io::detail::direction_ready(src->reg(), direction::write);
      if (!ev) co_return kyoto::err(ev.error());
      auto so_error = detail::get_int_option(src->fd(), SOL_SOCKET, SO_ERROR);
      if (!so_error) co_return kyoto::err(so_error.error());
      if (*so_error) co_return kyoto::err(std::error_code(*so_error, std::system_category()));
      // Writable with no error: connected, unless the event was stale.
      sockaddr_storage peer{};
      socklen_t plen = sizeof peer;
      if (::getpeername(src->fd(), reinterpret_cast<sockaddr*>(&peer), &plen) == 0) break;
      if (errno != ENOTCONN) co_return kyoto::err(last_error());
      // Hung up and not connected is final: waiting again would spin.
      if (ev->ready & io::detail::ready_write_closed) co_return kyoto::err(last_error());
      src->reg().clear_readiness(*ev);
    }
  }
  co_return tcp_stream(std::move(*src));
}

task<io::result<tcp_stream>> tcp_socket::connect(socket_addr addr) && {
  return connect_socket(std::move(fd_), addr);
}

}  // namespace kyoto::net
