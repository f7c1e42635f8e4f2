#include "kyoto/fs/metadata.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "fs/error.hpp"
#include "fs/stat.hpp"
#include "fs/submit.hpp"

namespace kyoto::fs {

file_type file_type::from_mode(std::uint32_t mode) noexcept {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return file_type(kind::regular);
    case S_IFDIR:
      return file_type(kind::directory);
    case S_IFLNK:
      return file_type(kind::symlink);
    case S_IFBLK:
      return file_type(kind::block);
    case S_IFCHR:
      return file_type(kind::character);
    case S_IFIFO:
      return file_type(kind::fifo);
    case S_IFSOCK:
      return file_type(kind::socket);
    default:
      return file_type();
  }
}

io::result<metadata::time_point> metadata::created() const noexcept {
  if (!f_.created) return kyoto::err(std::make_error_code(std::errc::function_not_supported));
  return *f_.created;
}

namespace detail {
namespace {

metadata::time_point to_time(const statx_timestamp& t) {
  using namespace std::chrono;
  return metadata::time_point(
      duration_cast<system_clock::duration>(seconds(t.tv_sec) + nanoseconds(t.tv_nsec)));
}

}  // namespace

int stat_at(int dirfd, const char* path, int flags, metadata::fields& out) noexcept {
  struct statx sx {};
  int rc;
  do {
    rc = ::statx(dirfd, path, flags, STATX_BASIC_STATS | STATX_BTIME, &sx);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return errno;
  out.mode = sx.stx_mode;
  out.size = sx.stx_size;
  out.ino = sx.stx_ino;
  out.dev = (std::uint64_t{sx.stx_dev_major} << 32) | sx.stx_dev_minor;
  out.nlink = sx.stx_nlink;
  out.uid = sx.stx_uid;
  out.gid = sx.stx_gid;
  out.modified = to_time(sx.stx_mtime);
  out.accessed = to_time(sx.stx_atime);
  if (sx.stx_mask & STATX_BTIME) out.created = to_time(sx.stx_btime);
  return 0;
}

io::result<file_metadata> stat_path(const std::filesystem::path& p, bool follow) {
  metadata::fields f;
  if (int e = stat_at(AT_FDCWD, p.c_str(), follow ? 0 : AT_SYMLINK_NOFOLLOW, f))
    return kyoto::err(path_error(e, follow ? "metadata" : "symlink_metadata", p));
  return file_metadata(f);
}

io::result<file_metadata> stat_fd(int fd) {
  metadata::fields f;
  if (int e = stat_at(fd, "", AT_EMPTY_PATH, f)) return kyoto::err(os_error(e));
  return file_metadata(f);
}

}  // namespace detail

task<io::result<file_metadata>> metadata(std::filesystem::path p) {
  auto job = [p = std::move(p)] { return detail::stat_path(p, true); };
  co_return co_await detail::run(std::move(job));
}

task<io::result<file_metadata>> symlink_metadata(std::filesystem::path p) {
  auto job = [p = std::move(p)] { return detail::stat_path(p, false); };
  co_return co_await detail::run(std::move(job));
}

}  // namespace kyoto::fs
