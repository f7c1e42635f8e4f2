// fs::file and open_options over the state machine of file_state.hpp.
#include "kyoto/fs/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "fs/error.hpp"
#include "fs/file_state.hpp"
#include "fs/owned_fd.hpp"
#include "fs/stat.hpp"
#include "fs/submit.hpp"
#include "kyoto/io/error.hpp"

namespace kyoto::fs {
namespace detail {
namespace {

// write(2) until every byte is out: a short write is continued, a write
// of nothing is write_zero, a failure is reported (with what was written
// before it lost: Rust's write_all has the same contract).
io::result<std::uint64_t> write_fully(int fd, const std::byte* p, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(fd, p + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return kyoto::err(os_error(errno));
    }
    if (w == 0) return kyoto::err(io::make_error_code(io::errc::write_zero));
    done += static_cast<std::size_t>(w);
  }
  return std::uint64_t{done};
}

io::result<std::uint64_t> seek_fd(int fd, io::seek_from pos, std::int64_t adjust) {
  int whence = SEEK_SET;
  std::int64_t off = pos.offset();
  switch (pos.whence()) {
    case io::seek_from::origin::start:
      break;
    case io::seek_from::origin::current:
      whence = SEEK_CUR;
      off -= adjust;  // the descriptor is `adjust` bytes ahead (read-ahead)
      break;
    case io::seek_from::origin::end:
      whence = SEEK_END;
      break;
  }
  off_t r = ::lseek(fd, static_cast<off_t>(off), whence);
  if (r < 0) return kyoto::err(os_error(errno));
  return static_cast<std::uint64_t>(r);
}

}  // namespace

poll_result<std::optional<finished>> file_state::poll_inflight(context& cx) {
  if (!inflight_) return std::optional<finished>();
  auto p = inflight_->poll(cx);
  if (p.is_pending()) return pending;
  auto joined = std::move(p).value();
  inflight_.reset();
  if (!joined) {
    buf = chunk();  // it went down with the job
    return std::optional<finished>(std::in_place, kind_, kyoto::err(join_failure(joined.error())));
  }
  buf = std::move(joined->buf);
  return std::optional<finished>(std::in_place, joined->kind, std::move(joined->res));
}

void file_state::start_read(std::size_t n, bool fully) {
  auto job = [fd = fd_, b = std::move(buf), n, fully]() mutable {
    b.reserve(n);
    std::size_t done = 0;
    for (;;) {
      ssize_t r = ::read(fd->get(), b.data() + done, n - done);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        int e = errno;
        if (done != 0) break;  // those bytes first; the next read fails again
        b.clear();
        return op_done(op_kind::read, kyoto::err(os_error(e)), std::move(b));
      }
      done += static_cast<std::size_t>(r);
      if (!fully || r == 0 || done == n) break;
    }
    b.filled(done);
    return op_done(op_kind::read, static_cast<std::uint64_t>(done), std::move(b));
  };
  buf = chunk();
  submit_job(op_kind::read, submit(std::move(job)));
}

void file_state::start_write(std::span<const std::byte> bytes) {
  left_hint.reset();
  auto back = static_cast<std::int64_t>(buf.discard());
  buf.assign(bytes);
  auto job = [fd = fd_, b = std::move(buf), back]() mutable {
    if (back != 0 && ::lseek(fd->get(), -back, SEEK_CUR) < 0) {
      int e = errno;
      b.clear();
      return op_done(op_kind::write, kyoto::err(os_error(e)), std::move(b));
    }
    auto r = write_fully(fd->get(), b.data(), b.len());
    b.clear();
    return op_done(op_kind::write, std::move(r), std::move(b));
  };
  buf = chunk();
  submit_job(op_kind::write, submit(std::move(job)));
}

void file_state::start_seek(io::seek_from pos) {
  left_hint.reset();
  auto ahead = static_cast<std::int64_t>(buf.discard());
  auto job = [fd = fd_, b = std::move(buf), pos, ahead]() mutable {
    return op_done(op_kind::seek, seek_fd(fd->get(), pos, ahead), std::move(b));
  };
  buf = chunk();
  submit_job(op_kind::seek, submit(std::move(job)));
}

void file_state::start_set_len(std::uint64_t n) {
  left_hint.reset();
  auto ahead = static_cast<std::int64_t>(buf.discard());
  auto job = [fd = fd_, b = std::move(buf), n, ahead]() mutable {
    if (ahead != 0 && ::lseek(fd->get(), -ahead, SEEK_CUR) < 0)
      return op_done(op_kind::seek, kyoto::err(os_error(errno)), std::move(b));
    int rc;
    do {
      rc = ::ftruncate(fd->get(), static_cast<off_t>(n));
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) return op_done(op_kind::seek, kyoto::err(os_error(errno)), std::move(b));
    return op_done(op_kind::seek, std::uint64_t{0}, std::move(b));
  };
  buf = chunk();
  submit_job(op_kind::seek, submit(std::move(job)));
}

namespace {

// Waits until the file is idle. A write that failed is kept in
// last_write_err (reported by the next write or flush), as a flush that
// nobody awaited would leave it; read-ahead stays buffered.
class [[nodiscard]] settle_future {
 public:
  using output_type = void;
  explicit settle_future(file_state& s) noexcept : s_(&s) {}
  poll_result<void> poll(context& cx) {
    auto p = s_->poll_inflight(cx);
    if (p.is_pending()) return pending;
    auto& f = p.value();
    if (f && f->kind == op_kind::write && !f->res && !s_->last_write_err)
      s_->last_write_err = f->res.error();
    return poll_result<void>::ready();
  }

 private:
  file_state* s_;
};

// The result of the job just started (the file is busy with it).
class [[nodiscard]] op_future {
 public:
  using output_type = io::result<std::uint64_t>;
  explicit op_future(file_state& s) noexcept : s_(&s) {}
  poll_result<output_type> poll(context& cx) {
    auto p = s_->poll_inflight(cx);
    if (p.is_pending()) return pending;
    auto& f = p.value();
    if (!f) return output_type(std::uint64_t{0});
    return std::move(f->res);
  }

 private:
  file_state* s_;
};

std::error_code no_file() { return std::make_error_code(std::errc::bad_file_descriptor); }

}  // namespace

struct file_access {
  static file adopt(owned_fd fd, std::optional<std::uint64_t> size) {
    auto s = std::make_unique<file_state>(std::move(fd));
    s->left_hint = size;
    return file(std::move(s));
  }
};

}  // namespace detail

// ------------------------------------------------------------ open_options

io::result<int> open_options::flags() const {
  int access;
  if (read_ && !write_ && !append_) {
    access = O_RDONLY;
  } else if (!read_ && (write_ || append_)) {
    access = O_WRONLY;
  } else if (read_ && (write_ || append_)) {
    access = O_RDWR;
  } else {
    return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  }
  if (append_) access |= O_APPEND;
  if (!write_ && !append_ && (truncate_ || create_ || create_new_))
    return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  if (append_ && truncate_ && !create_new_)
    return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  int creation = 0;
  if (create_new_) {
    creation = O_CREAT | O_EXCL;
  } else {
    if (create_) creation |= O_CREAT;
    if (truncate_) creation |= O_TRUNC;
  }
  return access | creation | O_CLOEXEC | (custom_flags_ & ~O_ACCMODE);
}

namespace {

// A coroutine of values only: open_options::open is often called on a
// temporary, gone before the task first runs.
task<io::result<file>> open_path(std::filesystem::path p, io::result<int> flags,
                                 std::uint32_t mode) {
  if (!flags) co_return kyoto::err(flags.error());
  // The size of a regular file is read with it: file::read_size_hint.
  struct opened {
    detail::owned_fd fd;
    std::optional<std::uint64_t> size;
    opened(detail::owned_fd d, std::optional<std::uint64_t> n) : fd(std::move(d)), size(n) {}
  };
  auto job = [p = std::move(p), f = *flags, mode]() -> io::result<opened> {
    int fd;
    do {
      fd = ::open(p.c_str(), f, static_cast<mode_t>(mode));
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return kyoto::err(detail::path_error(errno, "open", p));
    struct stat st;
    std::optional<std::uint64_t> size;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<std::uint64_t>(st.st_size);
    return opened(detail::owned_fd(fd), size);
  };
  auto o = co_await detail::run(std::move(job));
  if (!o) co_return kyoto::err(o.error());
  co_return detail::file_access::adopt(std::move(o->fd), o->size);
}

}  // namespace

task<io::result<file>> open_options::open(std::filesystem::path p) const {
  return open_path(std::move(p), flags(), mode_);
}

// ------------------------------------------------------------ file

file::file() noexcept = default;
file::file(std::unique_ptr<detail::file_state> s) noexcept : s_(std::move(s)) {}
file::file(file&&) noexcept = default;
file& file::operator=(file&&) noexcept = default;
file::~file() = default;

task<io::result<file>> file::open(std::filesystem::path p) {
  return open_options().read(true).open(std::move(p));
}
task<io::result<file>> file::create(std::filesystem::path p) {
  return open_options().write(true).create(true).truncate(true).open(std::move(p));
}
task<io::result<file>> file::create_new(std::filesystem::path p) {
  return open_options().read(true).write(true).create_new(true).open(std::move(p));
}

io::result<file> file::from_std(int fd) {
  if (fd < 0) return kyoto::err(detail::no_file());
  return file(std::make_unique<detail::file_state>(detail::owned_fd(fd)));
}

int file::fd() const noexcept { return s_ ? s_->fd() : -1; }
bool file::is_open() const noexcept { return s_ != nullptr; }
std::size_t file::max_buf_size() const noexcept {
  return s_ ? s_->max_buf : detail::file_state::default_max_buf;
}
std::optional<std::size_t> file::read_size_hint() const noexcept {
  if (!s_ || !s_->left_hint) return std::nullopt;
  return static_cast<std::size_t>(*s_->left_hint);
}
void file::set_max_buf_size(std::size_t n) noexcept {
  if (s_) s_->max_buf = n ? n : 1;
}

namespace {
// The read loop of poll_read and poll_read_into_vec: wait for the job in
// flight (a write's error is kept for the next write), hand over buffered
// bytes with `deliver` (also when nothing is wanted, or at the end of the
// file: it delivers 0), or start a read job with `start_read`.
template <class Deliver, class StartRead>
poll_result<io::result<void>> read_through_buffer(detail::file_state& s, context& cx,
                                                  bool nothing_wanted, Deliver deliver,
                                                  StartRead start_read) {
  for (;;) {
    if (s.busy()) {
      auto p = s.poll_inflight(cx);
      if (p.is_pending()) return pending;
      auto& f = *p.value();
      if (f.kind == detail::op_kind::read) {
        if (!f.res) return io::result<void>(kyoto::err(f.res.error()));
        deliver();
        return io::result<void>();
      }
      if (f.kind == detail::op_kind::write && !f.res && !s.last_write_err)
        s.last_write_err = f.res.error();
      continue;
    }
    if (!s.buf.empty() || nothing_wanted) {
      deliver();
      return io::result<void>();
    }
    start_read();
  }
}
}  // namespace

poll_result<io::result<void>> file::poll_read(context& cx, io::read_buf& dst) {
  if (!s_) return io::result<void>(kyoto::err(detail::no_file()));
  auto& s = *s_;
  return read_through_buffer(
      s, cx, dst.remaining() == 0, [&] { s.delivered(s.buf.copy_to(dst)); },
      [&] {
        s.start_read(std::clamp(dst.remaining(), std::min(detail::file_state::min_read, s.max_buf),
                                s.max_buf));
      });
}

poll_result<io::result<void>> file::poll_read_into_vec(context& cx, std::vector<std::byte>& out,
                                                       std::size_t n) {
  if (!s_) return io::result<void>(kyoto::err(detail::no_file()));
  auto& s = *s_;
  return read_through_buffer(
      s, cx, n == 0, [&] { s.delivered(s.buf.take_into(out, n)); }, [&] { s.start_read(n, true); });
}

poll_result<io::result<std::size_t>> file::poll_write(context& cx,
                                                      std::span<const std::byte> bytes) {
  if (!s_) return io::result<std::size_t>(kyoto::err(detail::no_file()));
  auto& s = *s_;
  if (s.last_write_err) {
    auto e = *s.last_write_err;
    s.last_write_err.reset();
    return io::result<std::size_t>(kyoto::err(e));
  }
  for (;;) {
    if (s.busy()) {
      auto p = s.poll_inflight(cx);
      if (p.is_pending()) return pending;
      auto& f = *p.value();
      if (f.kind == detail::op_kind::write && !f.res)
        return io::result<std::size_t>(kyoto::err(f.res.error()));
      continue;  // a read's bytes are undone by start_write
    }
    if (bytes.empty()) return io::result<std::size_t>(std::size_t{0});
    std::size_t n = std::min(bytes.size(), s.max_buf);
    s.start_write(bytes.first(n));
    return io::result<std::size_t>(n);
  }
}

poll_result<io::result<void>> file::poll_flush(context& cx) {
  if (!s_) return io::result<void>(kyoto::err(detail::no_file()));
  auto& s = *s_;
  if (s.last_write_err) {
    auto e = *s.last_write_err;
    s.last_write_err.reset();
    return io::result<void>(kyoto::err(e));
  }
  auto p = s.poll_inflight(cx);
  if (p.is_pending()) return pending;
  auto& f = p.value();
  if (f && f->kind == detail::op_kind::write && !f->res)
    return io::result<void>(kyoto::err(f->res.error()));
  return io::result<void>();
}

task<io::result<std::uint64_t>> file::seek(io::seek_from pos) {
  if (!s_) co_return kyoto::err(detail::no_file());
  co_await detail::settle_future(*s_);
  s_->start_seek(pos);
  co_return co_await detail::op_future(*s_);
}

task<io::result<void>> file::set_len(std::uint64_t n) {
  if (!s_) co_return kyoto::err(detail::no_file());
  co_await detail::settle_future(*s_);
  s_->start_set_len(n);
  auto r = co_await detail::op_future(*s_);
  if (!r) co_return kyoto::err(r.error());
  co_return io::result<void>();
}

namespace {

task<io::result<void>> flush_then_sync(file& f, detail::file_state& s, bool data_only) {
  struct flush_once {
    using output_type = io::result<void>;
    file* f;
    explicit flush_once(file& fl) noexcept : f(&fl) {}
    poll_result<output_type> poll(context& cx) { return f->poll_flush(cx); }
  };
  auto flushed = co_await flush_once(f);
  if (!flushed) co_return kyoto::err(flushed.error());
  auto job = [fd = s.shared_fd(), data_only]() -> io::result<void> {
    int rc;
    do {
      rc = data_only ? ::fdatasync(fd->get()) : ::fsync(fd->get());
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) return kyoto::err(detail::os_error(errno));
    return {};
  };
  co_return co_await detail::run(std::move(job));
}

}  // namespace

task<io::result<void>> file::sync_all() {
  if (!s_) return []() -> task<io::result<void>> { co_return kyoto::err(detail::no_file()); }();
  return flush_then_sync(*this, *s_, false);
}

task<io::result<void>> file::sync_data() {
  if (!s_) return []() -> task<io::result<void>> { co_return kyoto::err(detail::no_file()); }();
  return flush_then_sync(*this, *s_, true);
}

task<io::result<file_metadata>> file::metadata() const {
  if (!s_) co_return kyoto::err(detail::no_file());
  auto job = [fd = s_->shared_fd()] { return detail::stat_fd(fd->get()); };
  co_return co_await detail::run(std::move(job));
}

task<io::result<void>> file::set_permissions(fs::permissions perms) const {
  if (!s_) co_return kyoto::err(detail::no_file());
  auto job = [fd = s_->shared_fd(), mode = perms.mode()]() -> io::result<void> {
    if (::fchmod(fd->get(), static_cast<mode_t>(mode)) < 0)
      return kyoto::err(detail::os_error(errno));
    return {};
  };
  co_return co_await detail::run(std::move(job));
}

task<io::result<file>> file::try_clone() const {
  if (!s_) co_return kyoto::err(detail::no_file());
  auto job = [fd = s_->shared_fd()]() -> io::result<detail::owned_fd> {
    int d = ::fcntl(fd->get(), F_DUPFD_CLOEXEC, 0);
    if (d < 0) return kyoto::err(detail::os_error(errno));
    return detail::owned_fd(d);
  };
  auto d = co_await detail::run(std::move(job));
  if (!d) co_return kyoto::err(d.error());
  co_return file(std::make_unique<detail::file_state>(std::move(*d)));
}

task<io::result<int>> file::into_std() {
  if (!s_) co_return kyoto::err(detail::no_file());
  co_await detail::settle_future(*s_);
  if (s_->last_write_err) {
    auto e = *s_->last_write_err;
    s_->last_write_err.reset();
    co_return kyoto::err(e);
  }
  // Undo the read-ahead (lseek on a regular file does not block).
  if (auto ahead = static_cast<off_t>(s_->buf.discard()); ahead != 0)
    if (::lseek(s_->fd(), -ahead, SEEK_CUR) < 0) co_return kyoto::err(detail::os_error(errno));
  auto shared = s_->shared_fd();
  s_.reset();
  // Alone with it (no job holds a copy, and only this code copies it): hand
  // it over; otherwise a detached metadata/try_clone job still uses it, so
  // hand over a duplicate (same open file description, same position).
  if (shared.use_count() == 1) co_return shared->release();
  int d = ::fcntl(shared->get(), F_DUPFD_CLOEXEC, 0);
  if (d < 0) co_return kyoto::err(detail::os_error(errno));
  co_return d;
}

}  // namespace kyoto::fs
