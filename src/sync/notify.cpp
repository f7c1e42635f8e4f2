// notify: a mutex-guarded intrusive list of waiters.
//
// Every field of notify and of each waiter node (its links, waker and
// `notified` mark) is guarded by notify::lock_. A waiter is linked while
// its future is pending; notify_one/notify_waiters unlink it, mark it and
// move its waker out before waking it outside the lock (in batches), so a
// future destroyed on another thread meanwhile never has its node touched
// after unlink. generation_ counts notify_waiters calls: a notified()
// future created before such a call is ready even if it was never polled.
#include "kyoto/sync/notify.hpp"

#include <array>
#include <utility>

#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto {

poll_result<void> notify::notified_future::poll(context& cx) {
  if (node_.done) return poll_result<void>::ready();
  detail::unique_lock lock(n_->lock_);
  if (node_.notified != waiter::how::none) {
    node_.done = true;
    return poll_result<void>::ready();
  }
  if (!node_.linked) {
    if (n_->generation_.load(std::memory_order_relaxed) != node_.generation) {
      node_.done = true;
      return poll_result<void>::ready();
    }
    if (n_->permit_) {
      n_->permit_ = false;
      node_.done = true;
      return poll_result<void>::ready();
    }
    node_.w = cx.waker();
    n_->waiters_.push_back(&node_);
    return pending;
  }
  if (!node_.w.will_wake(cx.waker())) node_.w = cx.waker();
  return pending;
}

notify::notified_future::~notified_future() {
  if (!n_) return;
  detail::unique_lock lock(n_->lock_);
  if (node_.linked) n_->waiters_.remove(&node_);
  if (node_.notified == waiter::how::one && !node_.done) {
    // Chosen by notify_one but never observed: pass it on.
    lock.unlock();
    n_->notify_one();
  }
}

void notify::notify_one() {
  kyoto::waker w;
  {
    detail::lock_guard lock(lock_);
    auto* node = static_cast<waiter*>(waiters_.pop_front());
    if (!node) {
      permit_ = true;
      return;
    }
    node->notified = waiter::how::one;
    w = std::move(node->w);
  }
  w.wake();
}

void notify::notify_waiters() {
  std::array<kyoto::waker, 32> batch;
  detail::unique_lock lock(lock_);
  generation_.fetch_add(1, std::memory_order_release);
  // Only the waiters present now: ones that arrive while we wake in
  // batches (lock released) wait for the next notification.
  std::size_t remaining = 0;
  for (auto* n = waiters_.front(); n; n = n->next) ++remaining;
  for (;;) {
    std::size_t n = 0;
    while (n < batch.size() && remaining > 0) {
      --remaining;
      auto* node = static_cast<waiter*>(waiters_.pop_front());
      if (!node) {
        remaining = 0;
        break;
      }
      node->notified = waiter::how::all;
      batch[n++] = std::move(node->w);
    }
    lock.unlock();
    for (std::size_t i = 0; i < n; ++i) std::exchange(batch[i], kyoto::waker()).wake();
    if (remaining == 0) return;
    lock.lock();
  }
}

}  // namespace kyoto
