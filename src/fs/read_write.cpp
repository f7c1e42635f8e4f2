#include "kyoto/fs/read_write.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "fs/error.hpp"
#include "fs/owned_fd.hpp"
#include "fs/submit.hpp"
#include "kyoto/io/error.hpp"

namespace kyoto::fs {
namespace {

template <class Container>
io::result<Container> read_whole(const std::filesystem::path& p) {
  int fd;
  do {
    fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return kyoto::err(detail::path_error(errno, "open", p));
  detail::owned_fd owned(fd);
  struct stat st {};
  std::size_t hint = 0;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) hint = static_cast<std::size_t>(st.st_size);
  Container out;
  // One more byte than the size: a read that fills it means the file grew
  // (or is a /proc file whose size says 0), and the loop goes on.
  out.resize(hint + 1);
  std::size_t used = 0;
  for (;;) {
    if (used == out.size()) out.resize(out.size() * 2);
    ssize_t r = ::read(fd, out.data() + used, out.size() - used);
    if (r < 0) {
      if (errno == EINTR) continue;
      return kyoto::err(detail::path_error(errno, "read", p));
    }
    if (r == 0) break;
    used += static_cast<std::size_t>(r);
  }
  out.resize(used);
  return out;
}

io::result<void> write_whole(const std::filesystem::path& p, const void* data, std::size_t n) {
  int fd;
  do {
    fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return kyoto::err(detail::path_error(errno, "open", p));
  detail::owned_fd owned(fd);
  const auto* bytes = static_cast<const char*>(data);
  std::size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(fd, bytes + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return kyoto::err(detail::path_error(errno, "write", p));
    }
    if (w == 0) return kyoto::err(io::make_error_code(io::errc::write_zero));
    done += static_cast<std::size_t>(w);
  }
  if (::close(owned.release()) < 0 && errno != EINTR)
    return kyoto::err(detail::path_error(errno, "close", p));
  return {};
}

template <class Container>
task<io::result<void>> write_owned(std::filesystem::path p, Container bytes) {
  auto job = [p = std::move(p), b = std::move(bytes)] {
    return write_whole(p, b.data(), b.size());
  };
  co_return co_await detail::run(std::move(job));
}

}  // namespace

task<io::result<std::vector<std::byte>>> read(std::filesystem::path p) {
  auto job = [p = std::move(p)] { return read_whole<std::vector<std::byte>>(p); };
  co_return co_await detail::run(std::move(job));
}

task<io::result<std::string>> read_to_string(std::filesystem::path p) {
  auto job = [p = std::move(p)] { return read_whole<std::string>(p); };
  co_return co_await detail::run(std::move(job));
}

task<io::result<void>> write(std::filesystem::path p, std::span<const std::byte> bytes) {
  return write_owned(std::move(p), std::vector<std::byte>(bytes.begin(), bytes.end()));
}
task<io::result<void>> write(std::filesystem::path p, std::string_view text) {
  return write_owned(std::move(p), std::string(text));
}
task<io::result<void>> write(std::filesystem::path p, std::vector<std::byte>&& bytes) {
  return write_owned(std::move(p), std::move(bytes));
}
task<io::result<void>> detail::write_string(std::filesystem::path p, std::string text) {
  return write_owned(std::move(p), std::move(text));
}

}  // namespace kyoto::fs
