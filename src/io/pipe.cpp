#include "kyoto/io/pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace kyoto::io {
namespace {

io::result<detail::io_source> adopt_nonblocking(int fd, interest i) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || (!(flags & O_NONBLOCK) && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)) {
    auto e = detail::last_error();
    ::close(fd);
    return kyoto::err(e);
  }
  return detail::io_source::adopt(fd, i);
}

}  // namespace

io::result<pipe_reader> pipe_reader::from_fd(int fd) {
  auto s = adopt_nonblocking(fd, interest::readable);
  if (!s) return kyoto::err(s.error());
  return pipe_reader(std::move(*s));
}

io::result<pipe_writer> pipe_writer::from_fd(int fd) {
  auto s = adopt_nonblocking(fd, interest::writable);
  if (!s) return kyoto::err(s.error());
  return pipe_writer(std::move(*s));
}

poll_result<io::result<void>> pipe_reader::poll_read(context& cx, read_buf& buf) {
  auto room = buf.unfilled();
  auto r = src_.poll_io(
      cx, detail::direction::read, [&] { return ::read(src_.fd(), room.data(), room.size()); },
      room.size());  // a short read from a pipe means it is empty
  if (r.is_pending()) return pending;
  if (!r.value()) return io::result<void>(kyoto::err(r.value().error()));
  buf.advance(*r.value());
  return io::result<void>();
}

poll_result<io::result<std::size_t>> pipe_writer::poll_write(context& cx,
                                                             std::span<const std::byte> bytes) {
  if (!src_.is_open()) {
    return io::result<std::size_t>(kyoto::err(std::make_error_code(std::errc::broken_pipe)));
  }
  return src_.poll_io(cx, detail::direction::write,
                      [&] { return ::write(src_.fd(), bytes.data(), bytes.size()); });
}

poll_result<io::result<std::size_t>> pipe_writer::poll_write_vectored(
    context& cx, std::span<const std::span<const std::byte>> bufs) {
  if (!src_.is_open()) {
    return io::result<std::size_t>(kyoto::err(std::make_error_code(std::errc::broken_pipe)));
  }
  return src_.poll_write_vectored(cx, bufs, /*socket=*/false);
}

io::result<std::pair<pipe_reader, pipe_writer>> pipe() {
  int p[2];
  if (::pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) return kyoto::err(detail::last_error());
  auto w = pipe_writer::from_fd(p[1]);
  if (!w) {
    ::close(p[0]);
    return kyoto::err(w.error());
  }
  auto r = pipe_reader::from_fd(p[0]);
  if (!r) return kyoto::err(r.error());
  return std::pair(std::move(*r), std::move(*w));
}

}  // namespace kyoto::io
