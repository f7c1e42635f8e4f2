// The standard streams' blocking operations (see kyoto/io/stdio.hpp). A job
// owns the buffer while it runs on a pool thread and gives it back in its
// output, so the stream never shares memory with a running job: when the
// stream is dropped with a job in flight, the job finishes on its own
// buffer and its output is dropped with the detached task.
#include "kyoto/io/stdio.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "kyoto/io/error.hpp"
#include "kyoto/runtime/spawn.hpp"

namespace kyoto::io::detail {
namespace {

std::error_code errno_code() { return {errno, std::system_category()}; }

// A descriptor someone made non-blocking answers EAGAIN: wait for it here,
// on the pool thread, rather than fail.
void wait_fd(int fd, short events) {
  pollfd p{fd, events, 0};
  (void)::poll(&p, 1, -1);
}

struct read_job {
  int fd;
  std::vector<std::byte> buf;
  blocking_io_output operator()() {
    for (;;) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n >= 0) {
        buf.resize(static_cast<std::size_t>(n));
        return blocking_io_output(std::move(buf), static_cast<std::size_t>(n));
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wait_fd(fd, POLLIN);
        continue;
      }
      auto e = errno_code();
      buf.clear();
      return blocking_io_output(std::move(buf), kyoto::err(e));
    }
  }
};

struct write_job {
  int fd;
  std::vector<std::byte> buf;
  blocking_io_output operator()() {
    std::size_t done = 0;
    while (done < buf.size()) {
      ssize_t n = ::write(fd, buf.data() + done, buf.size() - done);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (n == 0) {
        buf.clear();
        return blocking_io_output(std::move(buf),
                                  kyoto::err(io::make_error_code(io::errc::write_zero)));
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wait_fd(fd, POLLOUT);
        continue;
      }
      auto e = errno_code();
      buf.clear();
      return blocking_io_output(std::move(buf), kyoto::err(e));
    }
    buf.clear();
    return blocking_io_output(std::move(buf), done);
  }
};

}  // namespace

poll_result<io::result<std::size_t>> blocking_fd::poll_op(context& cx) {
  using out = io::result<std::size_t>;
  auto p = op_.poll(cx);
  if (p.is_pending()) return pending;
  if (!p.value()) {  // the job was cancelled: the runtime is shutting down
    buf_.clear();
    pos_ = 0;
    return out(kyoto::err(std::make_error_code(std::errc::operation_canceled)));
  }
  blocking_io_output done = std::move(*p.value());
  buf_ = std::move(done.buf);
  pos_ = 0;
  return out(std::move(done.n));
}

bool blocking_fd::nonblocking(interest i) {
  if (mode_ == mode::unknown) {
    mode_ = mode::blocking;
    int fl = ::fcntl(fd_, F_GETFL);
    if (fl >= 0 && (fl & O_NONBLOCK) != 0) {
      int dup = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
      if (dup >= 0) {
        try {
          // A regular file cannot be registered (EPERM): blocking it is
          // (such reads never wait anyway). adopt closes dup on failure.
          if (auto src = io_source::adopt(dup, i)) {
            nb_ = std::move(*src);
            mode_ = mode::nonblocking;
          }
        } catch (const std::runtime_error&) {
          // A runtime without I/O: the blocking pool still serves (and
          // outside a runtime spawn_blocking throws). adopt closed dup.
        }
      }
    }
  }
  return mode_ == mode::nonblocking;
}

poll_result<io::result<void>> blocking_fd::poll_read(context& cx, read_buf& out) {
  if (nonblocking(interest::readable)) {
    auto room = out.unfilled();
    auto r = nb_.poll_io(cx, direction::read,
                         [&] { return ::read(nb_.fd(), room.data(), room.size()); });
    if (r.is_pending()) return pending;
    if (!r.value()) return io::result<void>(kyoto::err(r.value().error()));
    out.advance(*r.value());
    return io::result<void>();
  }
  for (;;) {
    if (op_.valid()) {
      auto p = poll_op(cx);
      if (p.is_pending()) return pending;
      if (!p.value()) return io::result<void>(kyoto::err(p.value().error()));
      if (buf_.empty()) return io::result<void>();  // end of stream
    }
    if (pos_ < buf_.size()) {
      std::size_t n = std::min(buf_.size() - pos_, out.remaining());
      out.put(std::span<const std::byte>(buf_.data() + pos_, n));
      pos_ += n;
      return io::result<void>();
    }
    if (out.remaining() == 0) return io::result<void>();
    buf_.resize(std::min(out.remaining(), max_buf));
    pos_ = 0;
    op_ = kyoto::spawn_blocking(read_job{fd_, std::move(buf_)});
    buf_.clear();  // moved from: make it a known empty vector
  }
}

poll_result<io::result<std::size_t>> blocking_fd::poll_write(context& cx,
                                                             std::span<const std::byte> bytes) {
  using out = io::result<std::size_t>;
  if (nonblocking(interest::writable)) {
    return nb_.poll_io(cx, direction::write,
                       [&] { return ::write(nb_.fd(), bytes.data(), bytes.size()); });
  }
  if (op_.valid()) {  // the previous write first: in order, and its error now
    auto p = poll_op(cx);
    if (p.is_pending()) return pending;
    if (!p.value()) return out(kyoto::err(p.value().error()));
  }
  if (bytes.empty()) return out(std::size_t{0});
  std::size_t n = std::min(bytes.size(), max_buf);
  buf_.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
  op_ = kyoto::spawn_blocking(write_job{fd_, std::move(buf_)});
  buf_.clear();
  return out(n);
}

poll_result<io::result<void>> blocking_fd::poll_flush(context& cx) {
  if (!op_.valid()) return io::result<void>();
  auto p = poll_op(cx);
  if (p.is_pending()) return pending;
  if (!p.value()) return io::result<void>(kyoto::err(p.value().error()));
  return io::result<void>();
}

}  // namespace kyoto::io::detail
