#include "kyoto/fs/operations.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>
#include <vector>

#include "fs/error.hpp"
#include "fs/owned_fd.hpp"
#include "fs/submit.hpp"

namespace kyoto::fs {
namespace {

using std::filesystem::path;

io::result<void> check(int rc, const char* op, const path& p) {
  if (rc < 0) return kyoto::err(detail::path_error(errno, op, p));
  return {};
}
io::result<void> check(int rc, const char* op, const path& a, const path& b) {
  if (rc < 0) return kyoto::err(detail::path_error(errno, op, a, b));
  return {};
}

// The copy loop of an open pair: copy_file_range (in-kernel, reflinks
// where the file system can), else sendfile, else read/write; each step
// falls back only when the kernel refuses the pair, not on a real error.
io::result<std::uint64_t> copy_fds(int in, int out, const path& from, const path& to) {
  constexpr std::size_t step = std::size_t{1} << 30;
  std::uint64_t total = 0;
  bool try_range = true, try_sendfile = true;
  for (;;) {
    ssize_t n;
    if (try_range) {
      n = ::copy_file_range(in, nullptr, out, nullptr, step, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL ||
                    errno == EPERM || errno == EBADF)) {
        try_range = false;
        continue;
      }
    } else if (try_sendfile) {
      n = ::sendfile(out, in, nullptr, step);
      if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
        try_sendfile = false;
        continue;
      }
    } else {
      std::vector<char> buf(std::size_t{1} << 20);
      for (;;) {
        ssize_t r = ::read(in, buf.data(), buf.size());
        if (r < 0) {
          if (errno == EINTR) continue;
          return kyoto::err(detail::path_error(errno, "copy", from, to));
        }
        if (r == 0) return total;
        std::size_t done = 0;
        while (done < static_cast<std::size_t>(r)) {
          ssize_t w = ::write(out, buf.data() + done, static_cast<std::size_t>(r) - done);
          if (w < 0) {
            if (errno == EINTR) continue;
            return kyoto::err(detail::path_error(errno, "copy", from, to));
          }
          done += static_cast<std::size_t>(w);
        }
        total += done;
      }
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return kyoto::err(detail::path_error(errno, "copy", from, to));
    }
    if (n == 0) return total;
    total += static_cast<std::uint64_t>(n);
  }
}

io::result<std::uint64_t> copy_blocking(const path& from, const path& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return kyoto::err(detail::path_error(errno, "copy: open", from));
  detail::owned_fd in_fd(in);
  struct stat st {};
  if (::fstat(in, &st) < 0) return kyoto::err(detail::path_error(errno, "copy: stat", from));
  if (!S_ISREG(st.st_mode))
    return kyoto::err(detail::path_error(EINVAL, "copy: not a regular file:", from));
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
  if (out < 0) return kyoto::err(detail::path_error(errno, "copy: open", to));
  detail::owned_fd out_fd(out);
  // As std::fs::copy: the destination gets the source's permission bits
  // even when it existed (open's mode applies only to a new file).
  if (::fchmod(out, st.st_mode & 07777) < 0)
    return kyoto::err(detail::path_error(errno, "copy: chmod", to));
  auto n = copy_fds(in, out, from, to);
  if (!n) return n;
  if (::close(out_fd.release()) < 0 && errno != EINTR)
    return kyoto::err(detail::path_error(errno, "copy: close", to));
  return n;
}

io::result<void> remove_all_blocking(const path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) < 0)
    return kyoto::err(detail::path_error(errno, "remove_dir_all", p));
  if (S_ISLNK(st.st_mode)) return check(::unlink(p.c_str()), "remove_dir_all", p);
  if (!S_ISDIR(st.st_mode)) return kyoto::err(detail::path_error(ENOTDIR, "remove_dir_all", p));
  std::error_code ec;
  std::filesystem::remove_all(p, ec);
  if (ec) return kyoto::err(detail::path_error(ec.value(), "remove_dir_all", p));
  return {};
}

io::result<path> read_link_blocking(const path& p) {
  std::vector<char> buf(256);
  for (;;) {
    ssize_t n = ::readlink(p.c_str(), buf.data(), buf.size());
    if (n < 0) return kyoto::err(detail::path_error(errno, "read_link", p));
    if (static_cast<std::size_t>(n) < buf.size()) return path(std::string(buf.data(), n));
    buf.resize(buf.size() * 2);
  }
}

template <class Job>
auto on_pool(Job job) -> task<std::invoke_result_t<Job&>> {
  co_return co_await detail::run(std::move(job));
}

}  // namespace

task<io::result<std::uint64_t>> copy(path from, path to) {
  return on_pool([from = std::move(from), to = std::move(to)] { return copy_blocking(from, to); });
}

task<io::result<void>> rename(path from, path to) {
  return on_pool([from = std::move(from), to = std::move(to)] {
    return check(::rename(from.c_str(), to.c_str()), "rename", from, to);
  });
}

task<io::result<void>> remove_file(path p) {
  return on_pool([p = std::move(p)] { return check(::unlink(p.c_str()), "remove_file", p); });
}

task<io::result<void>> remove_dir(path p) {
  return on_pool([p = std::move(p)] { return check(::rmdir(p.c_str()), "remove_dir", p); });
}

task<io::result<void>> remove_dir_all(path p) {
  return on_pool([p = std::move(p)] { return remove_all_blocking(p); });
}

task<io::result<void>> create_dir(path p) {
  return on_pool([p = std::move(p)] { return check(::mkdir(p.c_str(), 0777), "create_dir", p); });
}

task<io::result<void>> create_dir_all(path p) {
  return on_pool([p = std::move(p)]() -> io::result<void> {
    std::error_code ec;
    std::filesystem::create_directories(p, ec);
    if (ec) return kyoto::err(detail::path_error(ec.value(), "create_dir_all", p));
    return {};
  });
}

task<io::result<path>> canonicalize(path p) {
  return on_pool([p = std::move(p)]() -> io::result<path> {
    std::unique_ptr<char, decltype(&std::free)> r(::realpath(p.c_str(), nullptr), &std::free);
    if (!r) return kyoto::err(detail::path_error(errno, "canonicalize", p));
    return path(r.get());
  });
}

task<io::result<void>> hard_link(path original, path link) {
  return on_pool([original = std::move(original), link = std::move(link)] {
    return check(::link(original.c_str(), link.c_str()), "hard_link", original, link);
  });
}

task<io::result<void>> symlink(path original, path link) {
  return on_pool([original = std::move(original), link = std::move(link)] {
    return check(::symlink(original.c_str(), link.c_str()), "symlink", original, link);
  });
}

task<io::result<path>> read_link(path p) {
  return on_pool([p = std::move(p)] { return read_link_blocking(p); });
}

task<io::result<bool>> try_exists(path p) {
  return on_pool([p = std::move(p)]() -> io::result<bool> {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    return kyoto::err(detail::path_error(errno, "try_exists", p));
  });
}

task<io::result<void>> set_permissions(path p, permissions perms) {
  return on_pool([p = std::move(p), mode = perms.mode()] {
    return check(::chmod(p.c_str(), static_cast<mode_t>(mode)), "set_permissions", p);
  });
}

}  // namespace kyoto::fs
