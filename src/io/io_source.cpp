#include "kyoto/io/detail/io_source.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace kyoto::io::detail {

void owned_fd::close() noexcept {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

io::result<io_source> io_source::adopt(int fd, interest i) {
  io_source s;
  s.fd_ = owned_fd(fd);
  auto reg = registration::create(fd, i);
  if (!reg) return kyoto::err(reg.error());  // s closes fd
  s.reg_ = std::move(*reg);
  return s;
}

poll_result<io::result<void>> io_source::poll_read(context& cx, read_buf& buf) {
  auto room = buf.unfilled();
  // Only byte streams come through here (TCP, Unix stream, pipes), for
  // which a short read means the receive queue is empty.
  auto r = poll_io(
      cx, direction::read, [&] { return ::recv(fd(), room.data(), room.size(), 0); }, room.size());
  if (r.is_pending()) return pending;
  if (!r.value()) return io::result<void>(kyoto::err(r.value().error()));
  buf.advance(*r.value());
  return io::result<void>();
}

poll_result<io::result<std::size_t>> io_source::poll_peek(context& cx, read_buf& buf) {
  auto room = buf.unfilled();
  auto r = poll_io(cx, direction::read,
                   [&] { return ::recv(fd(), room.data(), room.size(), MSG_PEEK); });
  if (r.is_ready() && r.value()) buf.advance(*r.value());
  return r;
}

poll_result<io::result<std::size_t>> io_source::poll_write(context& cx,
                                                           std::span<const std::byte> bytes) {
  return poll_io(cx, direction::write,
                 [&] { return ::send(fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL); });
}

poll_result<io::result<std::size_t>> io_source::poll_write_vectored(
    context& cx, std::span<const std::span<const std::byte>> bufs, bool socket) {
  constexpr std::size_t max_iov = 64;
  iovec iov[max_iov];
  std::size_t n = 0;
  for (const auto& b : bufs) {
    if (n == max_iov) break;
    if (b.empty()) continue;
    iov[n].iov_base = const_cast<std::byte*>(b.data());
    iov[n].iov_len = b.size();
    ++n;
  }
  if (n == 0) return io::result<std::size_t>(std::size_t{0});
  if (!socket) {
    return poll_io(cx, direction::write, [&] { return ::writev(fd(), iov, static_cast<int>(n)); });
  }
  return poll_io(cx, direction::write, [&] {
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    return ::sendmsg(fd(), &msg, MSG_NOSIGNAL);
  });
}

}  // namespace kyoto::io::detail
