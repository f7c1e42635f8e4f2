// The registration handle's side of the readiness protocol (the driver's
// side is in io/driver/; the argument in docs/design/io-driver.md).
#include "kyoto/io/detail/registration.hpp"

#include "io/driver/io_driver.hpp"
#include "kyoto/io/error.hpp"
#include "kyoto/runtime/coop.hpp"

namespace kyoto::io::detail {
namespace {

using kyoto::detail::scheduled_io;

std::error_code shutdown_error() noexcept { return std::error_code(errc::driver_shutdown); }

poll_result<io::result<ready_event>> ready_or_budget(context& cx, std::uint32_t word,
                                                     std::uint8_t mask) {
  // A ready resource spends budget, so an always-readable socket yields.
  if (!coop::poll_proceed(cx)) return pending;
  return io::result<ready_event>(
      ready_event{scheduled_io::tick_of(word), static_cast<std::uint8_t>(word & mask)});
}

}  // namespace

io::result<registration> registration::create(int fd, interest i) {
  std::shared_ptr<kyoto::detail::io_driver> d = kyoto::detail::current_io_driver();
  auto io = d->add(fd, mask_of(i));
  if (!io) return kyoto::err(io.error());
  return registration(*io, std::move(d), fd);
}

registration::registration(registration&& o) noexcept
    : io_(std::exchange(o.io_, nullptr)), driver_(std::move(o.driver_)), fd_(o.fd_) {}

registration& registration::operator=(registration&& o) noexcept {
  if (this != &o) {
    reset();
    io_ = std::exchange(o.io_, nullptr);
    driver_ = std::move(o.driver_);
    fd_ = o.fd_;
  }
  return *this;
}

registration::~registration() { reset(); }

void registration::reset() noexcept {
  if (!io_) return;
  driver_->remove(std::exchange(io_, nullptr), fd_);
  driver_.reset();
}

poll_result<io::result<ready_event>> registration::poll_ready(context& cx, direction d) {
  if (!io_) return io::result<ready_event>(kyoto::err(shutdown_error()));
  const std::uint8_t mask = mask_of(d);
  std::uint32_t word = io_->readiness.load(std::memory_order_acquire);
  if (word & scheduled_io::shutdown_bit)
    return io::result<ready_event>(kyoto::err(shutdown_error()));
  if (word & mask) return ready_or_budget(cx, word, mask);
  {
    std::lock_guard guard(io_->lock);
    waker& slot = d == direction::read ? io_->reader : io_->writer;
    if (!slot.will_wake(cx.waker())) slot = cx.waker();
    word = io_->readiness.load(std::memory_order_acquire);
  }
  if (word & scheduled_io::shutdown_bit)
    return io::result<ready_event>(kyoto::err(shutdown_error()));
  // Ready after all: the stored waker stays and at worst wakes once more.
  if (word & mask) return ready_or_budget(cx, word, mask);
  return pending;
}

poll_result<io::result<ready_event>> registration::poll_wait(io_waiter& node, bool& queued,
                                                             context& cx) {
  if (!io_) return io::result<ready_event>(kyoto::err(shutdown_error()));
  const std::uint8_t mask = node.interest;
  std::uint32_t word = io_->readiness.load(std::memory_order_acquire);
  if (!(word & scheduled_io::shutdown_bit) && !(word & mask)) {
    std::lock_guard guard(io_->lock);
    word = io_->readiness.load(std::memory_order_acquire);
    if (!(word & scheduled_io::shutdown_bit) && !(word & mask)) {
      if (!node.w.will_wake(cx.waker())) node.w = cx.waker();
      if (!node.linked) io_->waiters.push_back(&node);
      queued = true;
      return pending;
    }
  }
  cancel_wait(node);
  queued = false;
  if (word & scheduled_io::shutdown_bit)
    return io::result<ready_event>(kyoto::err(shutdown_error()));
  return ready_or_budget(cx, word, mask);
}

void registration::cancel_wait(io_waiter& node) noexcept {
  if (!io_) return;
  std::lock_guard guard(io_->lock);
  if (node.linked) io_->waiters.remove(&node);
}

void registration::clear_readiness(ready_event ev) noexcept {
  if (io_) io_->clear_readiness(ev);
}

std::uint8_t registration::readiness() const noexcept {
  if (!io_) return 0;
  return static_cast<std::uint8_t>(io_->readiness.load(std::memory_order_acquire) &
                                   scheduled_io::ready_bits);
}

ready_event registration::snapshot(direction d) const noexcept {
  if (!io_) return {};
  std::uint32_t word = io_->readiness.load(std::memory_order_acquire);
  return ready_event{scheduled_io::tick_of(word), static_cast<std::uint8_t>(word & mask_of(d))};
}

}  // namespace kyoto::io::detail
