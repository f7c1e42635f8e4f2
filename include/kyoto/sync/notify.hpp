// notify: wake one waiting task, or all of them (Tokio's Notify).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "kyoto/core/future.hpp"
#include "kyoto/detail/intrusive_list.hpp"
#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto {

/// notify_one wakes the longest waiting notified() future, or stores one
/// permit if nobody waits (so a notification sent just before the wait
/// is not lost); notify_waiters wakes every notified() future that exists
/// at that moment (polled or not) and stores no permit.
///   kyoto::notify ready;
///   // task A:                       // task B:
///   co_await ready.notified();        ready.notify_one();
/// Waiting allocates nothing: the waiter node lives in the future.
/// Cancel safety: dropping a notified() future that was chosen by
/// notify_one passes the notification on to the next waiter (or back to
/// the permit), so it is not lost.
class notify {
 public:
  notify() = default;
  notify(const notify&) = delete;
  notify& operator=(const notify&) = delete;

  class [[nodiscard]] notified_future;

  notified_future notified() noexcept;
  void notify_one();
  void notify_waiters();

 private:
  friend class notified_future;
  // The small fields come first: they fill list_node's tail padding, so a
  // notified() future (which lives in every frame that waits on one) is 48
  // bytes instead of 72.
  struct waiter : detail::list_node {
    enum class how : unsigned char { none, one, all } notified = how::none;
    // The future's own fields (never touched by notify): whether it
    // returned ready, and the notify_waiters count when it was created.
    bool done = false;
    std::uint32_t generation = 0;
    kyoto::waker w;
  };

  kyoto::detail::mutex lock_;
  detail::intrusive_list waiters_;  // guarded by lock_
  bool permit_ = false;             // guarded by lock_
  // notify_waiters calls, written under lock_. 32 bits: a future misses a
  // notify_waiters only if it waits for its first poll across 2^32 of them.
  kyoto::detail::atomic<std::uint32_t> generation_{0};
};

class [[nodiscard]] notify::notified_future {
 public:
  using output_type = void;
  notified_future(notified_future&& o) noexcept : n_(o.n_) {
    // Only an unpolled (unlinked) future may be moved.
    node_.done = o.node_.done;
    node_.generation = o.node_.generation;
    o.n_ = nullptr;
  }
  notified_future(const notified_future&) = delete;
  ~notified_future();

  poll_result<void> poll(context& cx);

 private:
  friend class notify;
  notified_future(notify& n, std::uint32_t gen) noexcept : n_(&n) { node_.generation = gen; }
  notify* n_;
  waiter node_;
};

inline notify::notified_future notify::notified() noexcept {
  return notified_future(*this, generation_.load(std::memory_order_acquire));
}

}  // namespace kyoto
