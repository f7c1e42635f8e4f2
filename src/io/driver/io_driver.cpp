#include "io/driver/io_driver.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <system_error>

#include "kyoto/detail/runtime/runtime_core.hpp"
#include "kyoto/io/error.hpp"

namespace kyoto::detail {
namespace {

std::uint8_t bits_of(std::uint32_t ev) noexcept {
  using namespace io::detail;
  std::uint8_t bits = 0;
  if (ev & (EPOLLIN | EPOLLPRI)) bits |= ready_readable;
  if (ev & EPOLLOUT) bits |= ready_writable;
  if (ev & EPOLLRDHUP) bits |= ready_read_closed | ready_readable;
  if (ev & EPOLLHUP)
    bits |= ready_read_closed | ready_write_closed | ready_readable | ready_writable;
  // The error itself is read by the next system call (or SO_ERROR).
  if (ev & EPOLLERR) bits |= ready_error | ready_readable | ready_writable;
  return bits;
}

int timeout_ms(std::optional<std::chrono::nanoseconds> timeout) noexcept {
  if (!timeout) return -1;
  // Round up: waking before the timer is due would only spin.
  std::int64_t ns = timeout->count();
  if (ns <= 0) return 0;
  std::int64_t ms = (ns + 999'999) / 1'000'000;
  return ms > INT32_MAX ? INT32_MAX : static_cast<int>(ms);
}

}  // namespace

io_driver::io_driver() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw std::system_error(errno, std::system_category(), "kyoto: epoll_create1");
  evfd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (evfd_ < 0) {
    int e = errno;
    ::close(epfd_);
    throw std::system_error(e, std::system_category(), "kyoto: eventfd");
  }
  // Level-triggered, drained on every turn; its user data is null.
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, evfd_, &ev) < 0) {
    int e = errno;
    ::close(evfd_);
    ::close(epfd_);
    throw std::system_error(e, std::system_category(), "kyoto: epoll_ctl(eventfd)");
  }
}

io_driver::~io_driver() {
  free_released();
  // Registrations hold the driver alive, so none is left here.
  ::close(evfd_);
  ::close(epfd_);
}

io::result<scheduled_io*> io_driver::add(int fd, std::uint8_t interest_mask) {
  auto* io = new scheduled_io();
  io->interest_mask = interest_mask;
  epoll_event ev{};
  ev.events = EPOLLET | EPOLLRDHUP;
  if (interest_mask & io::detail::ready_readable) ev.events |= EPOLLIN;
  if (interest_mask & io::detail::ready_writable) ev.events |= EPOLLOUT;
  ev.data.ptr = io;
  {
    lock_guard guard(lock_);
    if (shut_down_) {
      delete io;
      return kyoto::err(std::error_code(io::errc::driver_shutdown));
    }
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
      int e = errno;
      delete io;
      return kyoto::err(std::error_code(e, std::system_category()));
    }
    live_.push_back(io);
  }
  sources_.fetch_add(1, std::memory_order_relaxed);
  return io;
}

void io_driver::remove(scheduled_io* io, int fd) noexcept {
  // The descriptor may already be closed by its owner (EBADF) or not be in
  // this epoll set any more: either way no new event will name it.
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  io->shutdown_and_wake();
  bool free_now;
  {
    lock_guard guard(lock_);
    live_.remove(io);
    free_now = shut_down_;
    if (!free_now) release_.push_back(io);
  }
  sources_.fetch_sub(1, std::memory_order_relaxed);
  if (free_now) delete io;
}

void io_driver::free_released() noexcept {
  std::vector<scheduled_io*> released;
  {
    lock_guard guard(lock_);
    if (release_.empty()) return;
    released.swap(release_);
  }
  for (scheduled_io* io : released) delete io;
}

std::size_t io_driver::turn(std::optional<std::chrono::nanoseconds> timeout) {
  free_released();
  int n =
      ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ms(timeout));
  if (n <= 0) return 0;  // timeout, or EINTR (the caller parks again)
  std::size_t dispatched = 0;
  for (int i = 0; i < n; ++i) {
    auto* io = static_cast<scheduled_io*>(events_[static_cast<std::size_t>(i)].data.ptr);
    std::uint32_t ev = events_[static_cast<std::size_t>(i)].events;
    if (!io) {
      std::uint64_t count;
      while (::read(evfd_, &count, sizeof count) > 0) {
      }
      continue;
    }
    io->set_readiness_and_wake(bits_of(ev));
    ++dispatched;
  }
  return dispatched;
}

void io_driver::unpark() noexcept {
  std::uint64_t one = 1;
  // EAGAIN means the counter is full: the turn will return anyway.
  [[maybe_unused]] ssize_t r = ::write(evfd_, &one, sizeof one);
}

void io_driver::shutdown() noexcept {
  std::vector<waker> woken;
  {
    // Under lock_, so that no record is freed meanwhile (remove() takes it).
    lock_guard guard(lock_);
    if (shut_down_) return;
    shut_down_ = true;
    for (list_node* n = live_.front(); n; n = n->next) {
      static_cast<scheduled_io*>(n)->shutdown_take_all(woken);
    }
  }
  for (waker& w : woken) std::exchange(w, waker()).wake();
  free_released();
}

std::shared_ptr<io_driver> current_io_driver() {
  runtime_core* core = current_runtime();
  if (!core) {
    throw std::runtime_error(
        "kyoto: I/O needs a runtime: create sockets and async_fds from a task or inside "
        "runtime::block_on / kyoto::run");
  }
  const std::shared_ptr<io_driver>& d = core->io();
  if (!d) {
    throw std::runtime_error(
        "kyoto: I/O is disabled on this runtime: build it with enable_io() or enable_all()");
  }
  return d;
}

}  // namespace kyoto::detail
