// The process-wide signal registry and its delivery protocol.
//
// State (one slot per signal number):
//   pending    set by the handler (async-signal-safe relaxed store), taken
//              by dispatch with an exchange.
//   generation count of deliveries; bumped by dispatch under lock_.
//   listeners  intrusive list of signal_stream listeners, under lock_.
//   installed  whether our handler is installed (under lock_; never undone).
// The self-pipe (non-blocking, close-on-exec) is created once; the handler
// writes one byte to it after setting `pending`. Each runtime with
// listeners runs one watcher task that owns a dup of the read end,
// registered with its I/O driver (edge-triggered). When readable, the
// watcher drains the pipe to EAGAIN, then takes every pending flag and,
// for each one set, bumps the generation and wakes the signal's listeners.
// No delivery is lost: a signal that lands after the drain but before its
// flag is taken is delivered now (its byte makes one spurious wake later);
// one that lands after its flag was taken writes a byte after the drain,
// which is a new edge on the pipe, so the watcher runs again.
// A listener remembers the generation it has seen (starting at the current
// one, so it sees what follows its creation); recv compares under lock_,
// and stores its waker there when nothing is new, so a dispatch either
// happens before (and recv sees the new generation) or after (and finds
// the waker).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <mutex>
#include <vector>

#include "io/driver/io_driver.hpp"
#include "kyoto/detail/intrusive_list.hpp"
#include "kyoto/detail/runtime/runtime_core.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/io/async_fd.hpp"
#include "kyoto/io/detail/io_source.hpp"
#include "kyoto/runtime/spawn.hpp"
#include "kyoto/signal/signal.hpp"

namespace kyoto::signal {
namespace detail {

struct listener : kyoto::detail::list_node {
  int signum = 0;
  std::uint64_t seen = 0;  // guarded by lock_
  waker w;                 // guarded by lock_
};

}  // namespace detail

namespace {

constexpr int max_signal = 65;

struct slot {
  kyoto::detail::atomic<bool> pending{false};
  std::uint64_t generation = 0;        // guarded by lock_
  kyoto::detail::intrusive_list list;  // guarded by lock_
  bool installed = false;              // guarded by lock_
};

std::array<slot, max_signal> slots;
kyoto::detail::mutex lock_;
int pipe_read = -1;
int pipe_write = -1;  // written by the handler; set once, before any handler

void on_signal(int signum) {
  int saved = errno;
  if (signum > 0 && signum < max_signal)
    slots[static_cast<std::size_t>(signum)].pending.store(true);
  char byte = 1;
  [[maybe_unused]] ssize_t r = ::write(pipe_write, &byte, 1);  // EAGAIN: full is fine
  errno = saved;
}

bool forbidden(int signum) {
  return signum == SIGKILL || signum == SIGSTOP || signum == SIGILL || signum == SIGFPE ||
         signum == SIGSEGV || signum == SIGBUS;
}

io::result<void> ensure_pipe_locked() {
  if (pipe_read >= 0) return {};
  int p[2];
  if (::pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) return kyoto::err(io::detail::last_error());
  pipe_read = p[0];
  pipe_write = p[1];
  return {};
}

io::result<void> install_locked(int signum) {
  slot& s = slots[static_cast<std::size_t>(signum)];
  if (s.installed) return {};
  struct sigaction sa {};
  sa.sa_handler = &on_signal;
  sa.sa_flags = SA_RESTART;
  ::sigemptyset(&sa.sa_mask);
  if (::sigaction(signum, &sa, nullptr) < 0) return kyoto::err(io::detail::last_error());
  s.installed = true;
  return {};
}

// Drains the pipe, then turns pending flags into deliveries.
void dispatch(int fd) {
  char buf[128];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
  std::vector<waker> woken;
  {
    kyoto::detail::lock_guard guard(lock_);
    for (int sig = 1; sig < max_signal; ++sig) {
      slot& s = slots[static_cast<std::size_t>(sig)];
      if (!s.pending.exchange(false, std::memory_order_acq_rel)) continue;
      ++s.generation;
      while (kyoto::detail::list_node* n = s.list.pop_front()) {
        woken.push_back(std::move(static_cast<detail::listener*>(n)->w));
      }
    }
  }
  for (waker& w : woken) std::exchange(w, waker()).wake();
}

struct owned_pipe_end {
  int fd_ = -1;
  explicit owned_pipe_end(int fd) noexcept : fd_(fd) {}
  owned_pipe_end(owned_pipe_end&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  ~owned_pipe_end() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const noexcept { return fd_; }
};

task<void> watch_signals(io::async_fd<owned_pipe_end> afd) {
  for (;;) {
    auto g = co_await afd.readable();
    if (!g) co_return;  // the runtime is shutting down
    dispatch(afd.fd());
    g->clear_ready();
  }
}

// One watcher per runtime (per I/O driver), started by its first listener.
io::result<void> ensure_watcher() {
  std::shared_ptr<kyoto::detail::io_driver> driver = kyoto::detail::current_io_driver();
  if (!driver->claim_signal_watch()) return {};
  int fd = ::fcntl(pipe_read, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return kyoto::err(io::detail::last_error());
  auto afd = io::async_fd<owned_pipe_end>::create(owned_pipe_end(fd), io::interest::readable);
  if (!afd) return kyoto::err(afd.error());
  kyoto::spawn(watch_signals(std::move(*afd)));
  return {};
}

}  // namespace

kind kind::interrupt() noexcept { return kind(SIGINT); }
kind kind::terminate() noexcept { return kind(SIGTERM); }
kind kind::hangup() noexcept { return kind(SIGHUP); }
kind kind::quit() noexcept { return kind(SIGQUIT); }
kind kind::user_defined1() noexcept { return kind(SIGUSR1); }
kind kind::user_defined2() noexcept { return kind(SIGUSR2); }
kind kind::child() noexcept { return kind(SIGCHLD); }
kind kind::pipe() noexcept { return kind(SIGPIPE); }
kind kind::alarm() noexcept { return kind(SIGALRM); }
kind kind::window_change() noexcept { return kind(SIGWINCH); }

io::result<signal_stream> unix_signal(kind k) {
  const int signum = k.as_raw();
  if (signum <= 0 || signum >= max_signal || forbidden(signum)) {
    return kyoto::err(std::make_error_code(std::errc::invalid_argument));
  }
  {
    kyoto::detail::lock_guard guard(lock_);
    if (auto r = ensure_pipe_locked(); !r) return kyoto::err(r.error());
  }
  if (auto r = ensure_watcher(); !r) return kyoto::err(r.error());
  auto* l = new detail::listener();
  l->signum = signum;
  kyoto::detail::lock_guard guard(lock_);
  if (auto r = install_locked(signum); !r) {
    delete l;
    return kyoto::err(r.error());
  }
  l->seen = slots[static_cast<std::size_t>(signum)].generation;
  return signal_stream(l);
}

signal_stream::signal_stream(signal_stream&& o) noexcept : l_(std::exchange(o.l_, nullptr)) {}

signal_stream& signal_stream::operator=(signal_stream&& o) noexcept {
  if (this != &o) {
    signal_stream gone(std::move(*this));
    l_ = std::exchange(o.l_, nullptr);
  }
  return *this;
}

signal_stream::~signal_stream() {
  if (!l_) return;
  {
    kyoto::detail::lock_guard guard(lock_);
    if (l_->linked) slots[static_cast<std::size_t>(l_->signum)].list.remove(l_);
  }
  delete l_;
}

int signal_stream::signum() const noexcept { return l_ ? l_->signum : 0; }

poll_result<std::optional<int>> signal_stream::poll_recv(context& cx) {
  if (!l_) return std::optional<int>();
  kyoto::detail::lock_guard guard(lock_);
  slot& s = slots[static_cast<std::size_t>(l_->signum)];
  if (s.generation != l_->seen) {
    l_->seen = s.generation;
    if (l_->linked) s.list.remove(l_);
    return std::optional<int>(l_->signum);
  }
  if (!l_->w.will_wake(cx.waker())) l_->w = cx.waker();
  if (!l_->linked) s.list.push_back(l_);
  return pending;
}

task<io::result<void>> ctrl_c() {
  auto s = unix_signal(kind::interrupt());
  if (!s) co_return kyoto::err(s.error());
  co_await s->recv();
  co_return io::result<void>();
}

}  // namespace kyoto::signal
