// cancellation_token: a tree of cancellation signals.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "kyoto/core/future.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/sync/notify.hpp"

namespace kyoto {

/// Copies share one token. Cancelling a token cancels its children (and
/// theirs), never its parent.
///   kyoto::cancellation_token stop;
///   auto worker = stop.child_token();
///   co_await kyoto::select(serve(), worker.cancelled());
///   stop.cancel();   // both are cancelled
class cancellation_token {
  struct node {
    kyoto::detail::atomic<bool> cancelled{false};
    notify waiters;
    kyoto::detail::mutex lock;
    std::vector<std::weak_ptr<node>> children;  // guarded by lock
  };

 public:
  cancellation_token() : n_(std::make_shared<node>()) {}

  /// Cancels this token and every descendant; idempotent.
  void cancel() { cancel_node(n_); }
  bool is_cancelled() const noexcept { return n_->cancelled.load(std::memory_order_acquire); }

  /// A token cancelled when this one is (or on its own).
  cancellation_token child_token() const {
    cancellation_token child;
    {
      kyoto::detail::lock_guard lock(n_->lock);
      if (!n_->cancelled.load(std::memory_order_acquire)) {
        // Drop links to children that are gone, so the list stays small.
        std::erase_if(n_->children, [](const std::weak_ptr<node>& w) { return w.expired(); });
        n_->children.push_back(child.n_);
        return child;
      }
    }
    child.cancel();
    return child;
  }

  /// Completes once the token is cancelled. Holds the token's state, so it
  /// may outlive the token object it came from.
  class [[nodiscard]] cancelled_future {
   public:
    using output_type = void;
    explicit cancelled_future(std::shared_ptr<node> n)
        : n_(std::move(n)), wait_(n_->waiters.notified()) {}
    cancelled_future(cancelled_future&& o) noexcept : n_(o.n_), wait_(std::move(o.wait_)) {}
    poll_result<void> poll(context& cx) {
      if (n_->cancelled.load(std::memory_order_acquire)) return poll_result<void>::ready();
      return wait_.poll(cx);
    }

   private:
    std::shared_ptr<node> n_;
    notify::notified_future wait_;
  };
  cancelled_future cancelled() const { return cancelled_future(n_); }

 private:
  static void cancel_node(const std::shared_ptr<node>& n) {
    if (n->cancelled.exchange(true, std::memory_order_acq_rel)) return;
    n->waiters.notify_waiters();
    std::vector<std::weak_ptr<node>> children;
    {
      kyoto::detail::lock_guard lock(n->lock);
      children.swap(n->children);
    }
    for (auto& w : children) {
      if (auto c = w.lock()) cancel_node(c);
    }
  }
  std::shared_ptr<node> n_;
};

}  // namespace kyoto
