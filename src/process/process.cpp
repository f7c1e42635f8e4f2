// command, child and the background reaper.
//
// child_state is owned by the `child` handle. Its pidfd (an async_fd on the
// I/O driver) becomes readable when the process exits; wait() then reaps
// it with waitpid(WNOHANG) (a spurious readiness just waits again). Once
// reaped, pid is cleared (so kill never signals a reused pid). A child
// dropped unreaped is handed to a detached reaper task on the current
// runtime (or, outside one, to a detached thread blocked in waitpid).
#include "kyoto/process/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "kyoto/combinators/join.hpp"
#include "kyoto/detail/runtime/runtime_core.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/io/async_fd.hpp"
#include "kyoto/io/detail/io_source.hpp"
#include "kyoto/io/read.hpp"
#include "kyoto/runtime/spawn.hpp"

extern char** environ;

namespace kyoto::process {
namespace {

// An error whose message names the program that could not be run; it
// compares equal to the errno's std::errc. One category per program name
// (interned: a program's name is kept for the life of the process).
class spawn_category final : public std::error_category {
 public:
  explicit spawn_category(std::string program) : program_(std::move(program)) {}
  const char* name() const noexcept override { return "kyoto.process"; }
  std::string message(int e) const override {
    return "kyoto::process: cannot run '" + program_ + "': " + std::strerror(e);
  }
  std::error_condition default_error_condition(int e) const noexcept override {
    return std::generic_category().default_error_condition(e);
  }
  const std::string& program() const noexcept { return program_; }

 private:
  std::string program_;
};

std::error_code spawn_error(const std::string& program, int e) {
  static kyoto::detail::mutex lock;
  struct by_name {
    bool operator()(const std::unique_ptr<spawn_category>& a,
                    const std::unique_ptr<spawn_category>& b) const {
      return a->program() < b->program();
    }
  };
  static std::set<std::unique_ptr<spawn_category>, by_name> interned;
  kyoto::detail::lock_guard guard(lock);
  auto probe = std::make_unique<spawn_category>(program);
  auto it = interned.find(probe);
  if (it == interned.end()) it = interned.insert(std::move(probe)).first;
  return std::error_code(e, **it);
}

struct owned_fd_value {
  int fd_ = -1;
  explicit owned_fd_value(int fd) noexcept : fd_(fd) {}
  owned_fd_value(owned_fd_value&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  ~owned_fd_value() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const noexcept { return fd_; }
};

int pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

}  // namespace

namespace detail {

struct child_state {
  pid_t pid = -1;  // -1 once reaped
  std::optional<exit_status> status;
  std::optional<io::async_fd<owned_fd_value>> pidfd;  // null: fallback (blocking waitpid)
  std::optional<child_stdin> in;
  std::optional<child_stdout> out;
  std::optional<child_stderr> err;
  bool kill_on_drop = false;

  // waitpid without blocking; true once reaped.
  io::result<bool> reap_nowait() {
    if (status) return true;
    int st = 0;
    pid_t r;
    do {
      r = ::waitpid(pid, &st, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return kyoto::err(io::detail::last_error());
    if (r == 0) return false;
    status = exit_status(st);
    pid = -1;
    pidfd.reset();
    return true;
  }
};

}  // namespace detail

namespace {

task<void> reap_in_background(std::unique_ptr<detail::child_state> s) {
  while (s->pidfd) {
    auto g = co_await s->pidfd->readable();
    if (!g) break;
    auto done = s->reap_nowait();
    if (!done || *done) co_return;
    g->clear_ready();
  }
  // Cancelled at shutdown, or no pidfd: a last try, then a thread.
  if (auto done = s->reap_nowait(); done && !*done) {
    pid_t pid = s->pid;
    std::thread([pid] {
      int st;
      while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
    }).detach();
  }
}

void orphan(std::unique_ptr<detail::child_state> s) {
  if (s->status) return;
  if (s->kill_on_drop) ::kill(s->pid, SIGKILL);
  if (auto done = s->reap_nowait(); !done || *done) return;
  kyoto::detail::runtime_core* core = kyoto::detail::current_runtime();
  if (core && core->io() && s->pidfd) {
    try {
      kyoto::spawn(reap_in_background(std::move(s)));
      return;
    } catch (...) {  // the runtime is shutting down: fall through to a thread
    }
  }
  pid_t pid = s->pid;
  std::thread([pid] {
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  }).detach();
}

}  // namespace

// ---- exit_status ----

std::optional<int> exit_status::code() const noexcept {
  if (WIFEXITED(raw_)) return WEXITSTATUS(raw_);
  return std::nullopt;
}

std::optional<int> exit_status::signal() const noexcept {
  if (WIFSIGNALED(raw_)) return WTERMSIG(raw_);
  return std::nullopt;
}

// ---- child ----

child::child(child&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}

child& child::operator=(child&& o) noexcept {
  if (this != &o) {
    child gone(std::move(*this));
    s_ = std::exchange(o.s_, nullptr);
  }
  return *this;
}

child::~child() {
  if (s_) orphan(std::unique_ptr<detail::child_state>(s_));
}

std::optional<std::uint32_t> child::id() const noexcept {
  if (!s_ || s_->pid < 0) return std::nullopt;
  return static_cast<std::uint32_t>(s_->pid);
}

task<io::result<exit_status>> child::wait() {
  s_->in.reset();  // a child reading its stdin would never end otherwise
  for (;;) {
    auto done = s_->reap_nowait();
    if (!done) co_return kyoto::err(done.error());
    if (*done) co_return *s_->status;
    if (s_->pidfd) {
      auto g = co_await s_->pidfd->readable();
      if (!g) co_return kyoto::err(g.error());
      // Readable means exited; reap_nowait confirms (else: spurious).
      if (auto again = s_->reap_nowait(); again && !*again) g->clear_ready();
    } else {
      pid_t pid = s_->pid;
      auto job = [pid]() -> int {
        int st = 0;
        while (::waitpid(pid, &st, 0) < 0) {
          if (errno != EINTR) return -errno;
        }
        return st;
      };
      auto h = kyoto::spawn_blocking(job);
      auto st = co_await h;
      if (!st) co_return kyoto::err(std::make_error_code(std::errc::operation_canceled));
      if (*st < 0) co_return kyoto::err(std::error_code(-*st, std::system_category()));
      s_->status = exit_status(*st);
      s_->pid = -1;
    }
  }
}

io::result<std::optional<exit_status>> child::try_wait() {
  auto done = s_->reap_nowait();
  if (!done) return kyoto::err(done.error());
  if (!*done) return std::optional<exit_status>();
  return std::optional<exit_status>(*s_->status);
}

io::result<void> child::start_kill() {
  if (s_->status) return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  if (::kill(s_->pid, SIGKILL) < 0 && errno != ESRCH) return kyoto::err(io::detail::last_error());
  return {};
}

task<io::result<void>> child::kill() {
  if (!s_->status) {
    if (auto r = start_kill(); !r) co_return kyoto::err(r.error());
  }
  auto st = co_await wait();
  if (!st) co_return kyoto::err(st.error());
  co_return io::result<void>();
}

std::optional<child_stdin> child::take_stdin() noexcept { return std::exchange(s_->in, {}); }
std::optional<child_stdout> child::take_stdout() noexcept { return std::exchange(s_->out, {}); }
std::optional<child_stderr> child::take_stderr() noexcept { return std::exchange(s_->err, {}); }

namespace {
task<io::result<std::string>> read_all(std::optional<io::pipe_reader> r) {
  std::string out;
  if (!r) co_return out;
  auto n = co_await io::read_to_string(*r, out);
  if (!n) co_return kyoto::err(n.error());
  co_return out;
}
}  // namespace

task<io::result<output>> child::wait_with_output() && {
  child self(std::move(*this));
  // Both streams are drained concurrently, so a child that fills one pipe
  // while we read the other cannot deadlock.
  auto [out, err] =
      co_await kyoto::join(read_all(self.take_stdout()), read_all(self.take_stderr()));
  auto st = co_await self.wait();
  if (!st) co_return kyoto::err(st.error());
  if (!out) co_return kyoto::err(out.error());
  if (!err) co_return kyoto::err(err.error());
  co_return output{*st, std::move(*out), std::move(*err)};
}

// ---- command ----

command::command(std::string program) : program_(std::move(program)) {}
command& command::arg(std::string a) {
  args_.push_back(std::move(a));
  return *this;
}
command& command::args(std::initializer_list<std::string> as) {
  for (const auto& a : as) args_.push_back(a);
  return *this;
}
command& command::env(std::string key, std::string value) {
  env_[std::move(key)] = std::move(value);
  return *this;
}
command& command::env_remove(const std::string& key) {
  env_[key] = std::nullopt;
  return *this;
}
command& command::env_clear() {
  env_clear_ = true;
  env_.clear();
  return *this;
}
command& command::current_dir(std::filesystem::path dir) {
  dir_ = std::move(dir);
  return *this;
}
command& command::stdin(stdio s) noexcept {
  stdin_ = s;
  return *this;
}
command& command::stdout(stdio s) noexcept {
  stdout_ = s;
  return *this;
}
command& command::stderr(stdio s) noexcept {
  stderr_ = s;
  return *this;
}
command& command::kill_on_drop(bool on) noexcept {
  kill_on_drop_ = on;
  return *this;
}

io::result<child> command::spawn() {
  // Environment.
  std::map<std::string, std::string> envs;
  if (!env_clear_) {
    for (char** e = environ; e && *e; ++e) {
      std::string_view kv(*e);
      auto eq = kv.find('=');
      if (eq != std::string_view::npos)
        envs[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    }
  }
  for (const auto& [k, v] : env_) {
    if (v) {
      envs[k] = *v;
    } else {
      envs.erase(k);
    }
  }
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : envs) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  std::string arg0 = program_;
  argv.push_back(arg0.data());
  for (auto& a : args_) argv.push_back(a.data());
  argv.push_back(nullptr);

  // Standard streams: pipes are made here; the child's ends are dup2'ed.
  posix_spawn_file_actions_t fa;
  ::posix_spawn_file_actions_init(&fa);
  struct cleanup {
    posix_spawn_file_actions_t* fa;
    std::vector<int> close_after;
    ~cleanup() {
      ::posix_spawn_file_actions_destroy(fa);
      for (int fd : close_after) ::close(fd);
    }
  } guard{&fa, {}};
  int parent_ends[3] = {-1, -1, -1};
  const std::optional<stdio>* which[3] = {&stdin_, &stdout_, &stderr_};
  for (int i = 0; i < 3; ++i) {
    stdio s = which[i]->value_or(stdio::inherit());
    if (s.kind() == stdio::how::null) {
      ::posix_spawn_file_actions_addopen(&fa, i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY, 0);
    } else if (s.kind() == stdio::how::piped) {
      int p[2];
      if (::pipe2(p, O_CLOEXEC) < 0) {
        auto e = io::detail::last_error();
        for (int fd : parent_ends) {
          if (fd >= 0) ::close(fd);
        }
        return kyoto::err(e);
      }
      int child_end = i == 0 ? p[0] : p[1];
      parent_ends[i] = i == 0 ? p[1] : p[0];
      ::posix_spawn_file_actions_adddup2(&fa, child_end, i);
      guard.close_after.push_back(child_end);
    }
  }
  if (dir_) ::posix_spawn_file_actions_addchdir_np(&fa, dir_->c_str());

  pid_t pid = -1;
  bool search = program_.find('/') == std::string::npos;
  int rc;
  if (search && !env_.empty() && envs.count("PATH")) {
    // posix_spawnp searches the parent's PATH; honour the child's.
    rc = ENOENT;
    bool denied = false;
    std::string_view path = envs["PATH"];
    for (;;) {
      auto colon = path.find(':');
      std::string dir(path.substr(0, colon));
      std::string full = (dir.empty() ? std::string(".") : dir) + "/" + program_;
      int r = ::posix_spawn(&pid, full.c_str(), &fa, nullptr, argv.data(), envp.data());
      if (r == 0 || (r != ENOENT && r != EACCES)) {
        rc = r;
        break;
      }
      denied = denied || r == EACCES;
      if (colon == std::string_view::npos) break;
      path = path.substr(colon + 1);
    }
    if (rc == ENOENT && denied) rc = EACCES;
  } else if (search) {
    rc = ::posix_spawnp(&pid, program_.c_str(), &fa, nullptr, argv.data(), envp.data());
  } else {
    rc = ::posix_spawn(&pid, program_.c_str(), &fa, nullptr, argv.data(), envp.data());
  }
  if (rc != 0) {
    for (int fd : parent_ends) {
      if (fd >= 0) ::close(fd);
    }
    return kyoto::err(spawn_error(program_, rc));
  }

  auto s = std::make_unique<detail::child_state>();
  s->pid = pid;
  s->kill_on_drop = kill_on_drop_;
  child c(s.release());
  // From here on `c` owns the child: an error below still reaps it.
  if (parent_ends[0] >= 0) {
    auto w = io::pipe_writer::from_fd(parent_ends[0]);
    parent_ends[0] = -1;
    if (!w) return kyoto::err(w.error());
    c.s_->in = std::move(*w);
  }
  if (parent_ends[1] >= 0) {
    auto r = io::pipe_reader::from_fd(parent_ends[1]);
    parent_ends[1] = -1;
    if (!r) return kyoto::err(r.error());
    c.s_->out = std::move(*r);
  }
  if (parent_ends[2] >= 0) {
    auto r = io::pipe_reader::from_fd(parent_ends[2]);
    parent_ends[2] = -1;
    if (!r) return kyoto::err(r.error());
    c.s_->err = std::move(*r);
  }
  int pfd = pidfd_open(pid);
  if (pfd >= 0) {
    ::fcntl(pfd, F_SETFD, FD_CLOEXEC);
    auto afd = io::async_fd<owned_fd_value>::create(owned_fd_value(pfd), io::interest::readable);
    if (afd) c.s_->pidfd.emplace(std::move(*afd));
  }
  return c;
}

task<io::result<process::output>> command::output_of(command cmd) {
  if (!cmd.stdin_) cmd.stdin_ = stdio::null();
  cmd.stdout_ = stdio::piped();
  cmd.stderr_ = stdio::piped();
  auto c = cmd.spawn();
  if (!c) co_return kyoto::err(c.error());
  co_return co_await std::move(*c).wait_with_output();
}

task<io::result<exit_status>> command::status_of(command cmd) {
  auto c = cmd.spawn();
  if (!c) co_return kyoto::err(c.error());
  co_return co_await c->wait();
}

}  // namespace kyoto::process
