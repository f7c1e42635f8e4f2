#include "kyoto/sync/detail/batch_semaphore.hpp"

#include <array>
#include <utility>

#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {

namespace {
constexpr std::size_t closed_bit = 1;
constexpr std::size_t batch = 32;
}  // namespace

batch_semaphore::try_result batch_semaphore::try_acquire(std::size_t n) noexcept {
  std::size_t cur = permits_.load(std::memory_order_acquire);
  for (;;) {
    if (cur & closed_bit) return try_result::closed;
    if ((cur >> 1) < n) return try_result::no_permits;
    if (permits_.compare_exchange_weak(cur, cur - (n << 1), std::memory_order_acq_rel,
                                       std::memory_order_acquire))
      return try_result::ok;
  }
}

std::size_t batch_semaphore::take_some(std::size_t want) noexcept {
  std::size_t cur = permits_.load(std::memory_order_seq_cst);
  for (;;) {
    if (cur & closed_bit) return ~std::size_t{0};
    std::size_t avail = cur >> 1;
    std::size_t take = avail < want ? avail : want;
    if (take == 0) return 0;
    if (permits_.compare_exchange_weak(cur, cur - (take << 1), std::memory_order_seq_cst))
      return take;
  }
}

std::size_t batch_semaphore::assign_locked(std::size_t n, kyoto::waker* out, std::size_t out_size,
                                           bool& more) noexcept {
  // Pull whatever sits in permits_ too: it may have been added by a
  // releaser that did not see the waiters.
  std::size_t cur = permits_.load(std::memory_order_seq_cst);
  while (!queue_.empty() && (cur >> 1) > 0) {
    if (permits_.compare_exchange_weak(cur, cur & closed_bit, std::memory_order_seq_cst)) {
      n += cur >> 1;
      break;
    }
  }
  std::size_t woken = 0;
  more = false;
  while (n > 0 && !queue_.empty()) {
    if (woken == out_size) {
      more = true;
      break;
    }
    auto* w = static_cast<acquire_future::node*>(queue_.front());
    std::size_t give = n < w->needed ? n : w->needed;
    w->needed -= give;
    w->assigned += give;
    n -= give;
    if (w->needed == 0) {
      queue_.pop_front();
      waiting_.fetch_sub(1, std::memory_order_seq_cst);
      out[woken++] = std::move(w->w);
    }
  }
  if (n > 0) permits_.fetch_add(n << 1, std::memory_order_seq_cst);
  return woken;
}

void batch_semaphore::release(std::size_t n) {
  if (n == 0) return;
  if (waiting_.load(std::memory_order_seq_cst) == 0) {
    permits_.fetch_add(n << 1, std::memory_order_seq_cst);
    if (waiting_.load(std::memory_order_seq_cst) == 0) return;
    n = 0;  // a waiter arrived meanwhile: hand it what permits_ holds
  }
  std::array<kyoto::waker, batch> wake;
  bool more = true;
  while (more) {
    std::size_t count;
    {
      lock_guard lock(lock_);
      count = assign_locked(n, wake.data(), wake.size(), more);
    }
    n = 0;
    for (std::size_t i = 0; i < count; ++i) std::exchange(wake[i], kyoto::waker()).wake();
  }
}

void batch_semaphore::close() {
  std::array<kyoto::waker, batch> wake;
  for (;;) {
    std::size_t count = 0;
    {
      lock_guard lock(lock_);
      permits_.fetch_or(closed_bit, std::memory_order_seq_cst);
      while (count < wake.size() && !queue_.empty()) {
        auto* w = static_cast<acquire_future::node*>(queue_.pop_front());
        waiting_.fetch_sub(1, std::memory_order_seq_cst);
        w->closed = true;
        wake[count++] = std::move(w->w);
      }
    }
    for (std::size_t i = 0; i < count; ++i) std::exchange(wake[i], kyoto::waker()).wake();
    if (count < wake.size()) return;
  }
}

poll_result<bool> batch_semaphore::acquire_future::poll(context& cx) {
  if (node_.done) return true;
  batch_semaphore& s = *sem_;
  if (!node_.queued) {
    std::size_t got = s.take_some(node_.needed);
    if (got == ~std::size_t{0}) return false;
    node_.needed -= got;
    node_.assigned += got;
    if (node_.needed == 0) {
      node_.done = true;
      return true;
    }
    lock_guard lock(s.lock_);
    s.waiting_.fetch_add(1, std::memory_order_seq_cst);
    got = s.take_some(node_.needed);  // last try, after announcing ourselves
    if (got == ~std::size_t{0}) {
      s.waiting_.fetch_sub(1, std::memory_order_seq_cst);
      return false;
    }
    node_.needed -= got;
    node_.assigned += got;
    if (node_.needed == 0) {
      s.waiting_.fetch_sub(1, std::memory_order_seq_cst);
      node_.done = true;
      return true;
    }
    node_.w = cx.waker();
    s.queue_.push_back(&node_);
    node_.queued = true;
    return pending;
  }
  lock_guard lock(s.lock_);
  if (node_.closed) return false;
  if (!node_.linked) {  // fully assigned
    node_.done = true;
    return true;
  }
  if (!node_.w.will_wake(cx.waker())) node_.w = cx.waker();
  return pending;
}

batch_semaphore::acquire_future::~acquire_future() {
  if (!sem_ || node_.done || (!node_.queued && node_.assigned == 0)) return;  // nothing to undo
  batch_semaphore& s = *sem_;
  std::size_t give_back = 0;
  {
    lock_guard lock(s.lock_);
    if (node_.linked) {
      s.queue_.remove(&node_);
      s.waiting_.fetch_sub(1, std::memory_order_seq_cst);
    }
    give_back = node_.assigned;
    node_.assigned = 0;
  }
  // Permits assigned to a future that never completed go back (to the
  // next waiter first).
  if (give_back) s.release(give_back);
}

}  // namespace kyoto::detail
