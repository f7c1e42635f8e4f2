// read_dir: a DIR* read in batches on the blocking pool.
//
// The stream's state is owned by the one task polling it. Between jobs the
// DIR* (in a dir_handle) is owned by the state; during a job it is moved
// into the job, which alone reads it, and comes back with the batch (the
// task completion orders the two). A stream dropped during a job leaves
// the handle to the job, which closes it when done.
#include "kyoto/fs/read_dir.hpp"

#include <dirent.h>
#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <vector>

#include "fs/error.hpp"
#include "fs/stat.hpp"
#include "fs/submit.hpp"

namespace kyoto::fs {
namespace detail {
namespace {

constexpr std::size_t batch_size = 128;

class dir_handle {
 public:
  explicit dir_handle(DIR* d) noexcept : d_(d) {}
  dir_handle(dir_handle&& o) noexcept : d_(std::exchange(o.d_, nullptr)) {}
  dir_handle& operator=(dir_handle&& o) noexcept {
    std::swap(d_, o.d_);
    return *this;
  }
  ~dir_handle() {
    if (d_) ::closedir(d_);
  }
  DIR* get() const noexcept { return d_; }

 private:
  DIR* d_;
};

file_type from_dtype(unsigned char t) {
  switch (t) {
    case DT_REG:
      return file_type(file_type::kind::regular);
    case DT_DIR:
      return file_type(file_type::kind::directory);
    case DT_LNK:
      return file_type(file_type::kind::symlink);
    case DT_BLK:
      return file_type(file_type::kind::block);
    case DT_CHR:
      return file_type(file_type::kind::character);
    case DT_FIFO:
      return file_type(file_type::kind::fifo);
    case DT_SOCK:
      return file_type(file_type::kind::socket);
    default:
      return file_type();
  }
}

}  // namespace

struct batch {
  std::vector<dir_entry> entries;
  std::optional<dir_handle> dir;  // empty once the directory is exhausted or failed
  std::error_code error;
  batch() = default;
  batch(batch&&) noexcept = default;
};

namespace {

batch read_batch(dir_handle d, const std::filesystem::path& dir_path) {
  batch b;
  b.entries.reserve(batch_size);
  while (b.entries.size() < batch_size) {
    errno = 0;
    dirent* e = ::readdir(d.get());
    if (!e) {
      if (errno != 0) b.error = path_error(errno, "read_dir", dir_path);
      return b;  // d closes here
    }
    const char* name = e->d_name;
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
    file_type t = from_dtype(e->d_type);
    if (e->d_type == DT_UNKNOWN) {
      metadata::fields f;
      if (stat_at(::dirfd(d.get()), name, AT_SYMLINK_NOFOLLOW, f) == 0)
        t = file_type::from_mode(f.mode);
    }
    b.entries.emplace_back(dir_path / name, t, static_cast<std::uint64_t>(e->d_ino));
  }
  b.dir.emplace(std::move(d));
  return b;
}

}  // namespace

struct read_dir_state {
  std::filesystem::path path;
  std::deque<dir_entry> ready;
  std::optional<dir_handle> dir;              // idle and not at the end
  std::optional<job_handle<batch>> inflight;  // a batch being read
  std::error_code error;                      // reported once, then the end
  explicit read_dir_state(std::filesystem::path p) : path(std::move(p)) {}

  void take(batch&& b) {
    for (auto& e : b.entries) ready.push_back(std::move(e));
    dir = std::move(b.dir);
    error = b.error;
  }
};

}  // namespace detail

task<io::result<file_metadata>> dir_entry::metadata() const {
  auto job = [p = path_] { return detail::stat_path(p, false); };
  co_return co_await detail::run(std::move(job));
}

read_dir_stream::read_dir_stream() noexcept = default;
read_dir_stream::read_dir_stream(std::unique_ptr<detail::read_dir_state> s) noexcept
    : s_(std::move(s)) {}
read_dir_stream::read_dir_stream(read_dir_stream&&) noexcept = default;
read_dir_stream& read_dir_stream::operator=(read_dir_stream&&) noexcept = default;
read_dir_stream::~read_dir_stream() = default;

poll_result<io::result<std::optional<dir_entry>>> read_dir_stream::poll_next_entry(context& cx) {
  using out = io::result<std::optional<dir_entry>>;
  if (!s_) return out(std::nullopt);
  auto& s = *s_;
  for (;;) {
    if (!s.ready.empty()) {
      dir_entry e = std::move(s.ready.front());
      s.ready.pop_front();
      return out(std::optional<dir_entry>(std::move(e)));
    }
    if (s.error) {
      auto e = s.error;
      s.error.clear();
      s.dir.reset();
      return out(kyoto::err(e));
    }
    if (s.inflight) {
      auto p = s.inflight->poll(cx);
      if (p.is_pending()) return pending;
      auto joined = std::move(p).value();
      s.inflight.reset();
      if (!joined) {
        s.error = detail::join_failure(joined.error());
        continue;
      }
      s.take(std::move(*joined));
      continue;
    }
    if (!s.dir) return out(std::nullopt);
    auto job = [d = std::move(*s.dir), p = s.path]() mutable {
      return detail::read_batch(std::move(d), p);
    };
    s.dir.reset();
    s.inflight.emplace(detail::submit(std::move(job)));
  }
}

poll_result<std::optional<io::result<dir_entry>>> read_dir_stream::poll_next(context& cx) {
  using out = std::optional<io::result<dir_entry>>;
  auto p = poll_next_entry(cx);
  if (p.is_pending()) return pending;
  auto r = std::move(p).value();
  if (!r) return out(io::result<dir_entry>(kyoto::err(r.error())));
  if (!*r) return out(std::nullopt);
  return out(io::result<dir_entry>(std::move(**r)));
}

task<io::result<read_dir_stream>> read_dir(std::filesystem::path p) {
  auto job = [p]() -> io::result<detail::batch> {
    DIR* d = ::opendir(p.c_str());
    if (!d) return kyoto::err(detail::path_error(errno, "read_dir", p));
    return detail::read_batch(detail::dir_handle(d), p);
  };
  auto first = co_await detail::run(std::move(job));
  if (!first) co_return kyoto::err(first.error());
  auto state = std::make_unique<detail::read_dir_state>(std::move(p));
  state->take(std::move(*first));
  co_return read_dir_stream(std::move(state));
}

}  // namespace kyoto::fs
