#include "kyoto/io/detail/io_source.hpp"

#include <sys/socket.h>
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
  auto r = poll_io(cx, direction::read, [&] { return ::recv(fd(), room.data(), room.size(), 0); });
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

}  // namespace kyoto::io::detail
