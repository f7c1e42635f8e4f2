// io::async_fd<T>: wait for readiness of a descriptor the application owns
// (a pipe, an eventfd, a device, another library's socket), Tokio's AsyncFd.
//
//   auto afd = kyoto::io::async_fd<int>::create(fd);      // fd must be O_NONBLOCK
//   for (;;) {
//     auto guard = co_await afd->readable();               // io::result<guard>
//     if (!guard) co_return guard.error();
//     auto n = guard->try_io([&](int fd) -> kyoto::io::result<std::size_t> {
//       ssize_t r = ::read(fd, buf, sizeof buf);
//       if (r < 0) return kyoto::err(std::error_code(errno, std::system_category()));
//       return static_cast<std::size_t>(r);
//     });
//     if (n || n.error() != std::errc::operation_would_block) co_return n;
//   }
//
// The descriptor is registered edge-triggered: readiness stays set until a
// guard's clear_ready() (or try_io seeing EAGAIN) clears it, so call the
// system call until it answers EAGAIN before waiting again. T is an int
// (not closed by async_fd) or any type with `int fd() const` (owned: it is
// destroyed with the async_fd, after deregistration).
// Cancel safety: readable() / writable() are cancel safe (dropping the
// future loses nothing). Do not destroy the async_fd while one of its
// futures or guards is alive.
#pragma once

#include <cerrno>
#include <concepts>
#include <cstdint>
#include <system_error>
#include <type_traits>
#include <utility>

#include "kyoto/io/detail/registration.hpp"
#include "kyoto/io/error.hpp"

namespace kyoto::io {

namespace detail {
template <class T>
int fd_of(const T& t) noexcept {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<int>(t);
  } else {
    return t.fd();
  }
}
}  // namespace detail

template <class T>
concept as_fd = std::is_integral_v<T> || requires(const T& t) {
  { t.fd() } -> std::convertible_to<int>;
};

template <as_fd T>
class async_fd;

/// Readiness that a readable() / writable() future saw. clear_ready() says
/// "the system call answered EAGAIN"; try_io does it for you.
template <as_fd T>
class async_fd_ready_guard {
 public:
  /// Forgets the readiness this guard saw (unless an event came since).
  void clear_ready() noexcept { fd_->reg_.clear_readiness(ev_); }
  /// Keeps the readiness (the default when the guard is dropped).
  void retain_ready() noexcept {}
  bool is_readable() const noexcept { return ev_.ready & detail::read_mask; }
  bool is_writable() const noexcept { return ev_.ready & detail::write_mask; }
  bool is_read_closed() const noexcept { return ev_.ready & detail::ready_read_closed; }
  bool is_write_closed() const noexcept { return ev_.ready & detail::ready_write_closed; }
  bool is_error() const noexcept { return ev_.ready & detail::ready_error; }

  /// Runs fn(inner) (returning an io::result); if it fails with
  /// EAGAIN / EWOULDBLOCK, clears the readiness and returns that error
  /// (std::errc::operation_would_block), so the caller waits again.
  template <class Fn>
  auto try_io(Fn&& fn) -> std::invoke_result_t<Fn&, T&> {
    auto r = fn(fd_->inner_);
    if (!r && (r.error() == std::errc::operation_would_block ||
               r.error() == std::errc::resource_unavailable_try_again)) {
      clear_ready();
    }
    return r;
  }

  async_fd<T>& get_inner() noexcept { return *fd_; }
  const T& get_ref() const noexcept { return fd_->inner_; }

 private:
  friend class async_fd<T>;
  async_fd_ready_guard(async_fd<T>* fd, detail::ready_event ev) noexcept : fd_(fd), ev_(ev) {}
  async_fd<T>* fd_;
  detail::ready_event ev_;
};

template <as_fd T>
class async_fd {
 public:
  using guard = async_fd_ready_guard<T>;

  /// Registers `inner`'s descriptor with the current runtime's I/O driver.
  /// Throws std::runtime_error outside a runtime with I/O enabled.
  static io::result<async_fd> create(T inner, interest i = interest::both) {
    int fd = detail::fd_of(inner);
    auto reg = detail::registration::create(fd, i);
    if (!reg) return kyoto::err(reg.error());
    return async_fd(std::move(inner), std::move(*reg), i);
  }

  async_fd(async_fd&&) noexcept = default;
  async_fd& operator=(async_fd&&) noexcept = default;
  ~async_fd() = default;  // reg_ (declared last) deregisters before inner_ goes

  const T& get_ref() const noexcept { return inner_; }
  T& get_mut() noexcept { return inner_; }
  int fd() const noexcept { return detail::fd_of(inner_); }
  interest get_interest() const noexcept { return interest_; }
  /// Deregisters and gives the inner value back.
  T into_inner() && {
    reg_.reset();
    return std::move(inner_);
  }

  /// A future: io::result<guard> once the descriptor is readable (or read
  /// closed, or in error).
  class [[nodiscard]] readiness_future {
   public:
    using output_type = io::result<guard>;
    readiness_future(async_fd* fd, std::uint8_t mask) noexcept : fd_(fd) { node_.interest = mask; }
    readiness_future(readiness_future&& o) noexcept : fd_(o.fd_) {
      node_.interest = o.node_.interest;
    }
    readiness_future& operator=(readiness_future&&) = delete;
    ~readiness_future() {
      if (queued_) fd_->reg_.cancel_wait(node_);
    }
    poll_result<output_type> poll(context& cx) {
      auto r = fd_->reg_.poll_wait(node_, queued_, cx);
      if (r.is_pending()) return pending;
      if (!r.value()) return output_type(kyoto::err(r.value().error()));
      return output_type(guard(fd_, *r.value()));
    }

   private:
    async_fd* fd_;
    detail::io_waiter node_;
    bool queued_ = false;
  };

  readiness_future readable() noexcept { return readiness_future(this, detail::read_mask); }
  readiness_future writable() noexcept { return readiness_future(this, detail::write_mask); }
  readiness_future ready(interest i) noexcept { return readiness_future(this, detail::mask_of(i)); }

  /// Poll forms (one waiter per direction; the last poller is woken).
  poll_result<io::result<guard>> poll_read_ready(context& cx) {
    return poll_dir(cx, detail::direction::read);
  }
  poll_result<io::result<guard>> poll_write_ready(context& cx) {
    return poll_dir(cx, detail::direction::write);
  }

 private:
  friend class async_fd_ready_guard<T>;
  async_fd(T inner, detail::registration reg, interest i) noexcept
      : inner_(std::move(inner)), reg_(std::move(reg)), interest_(i) {}
  poll_result<io::result<guard>> poll_dir(context& cx, detail::direction d) {
    auto r = reg_.poll_ready(cx, d);
    if (r.is_pending()) return pending;
    if (!r.value()) return io::result<guard>(kyoto::err(r.value().error()));
    return io::result<guard>(guard(this, *r.value()));
  }

  T inner_;
  detail::registration reg_;
  interest interest_;
};

}  // namespace kyoto::io
