// barrier: n tasks wait until all n have arrived.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "kyoto/core/future.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/sync/notify.hpp"

namespace kyoto {

/// Reusable: each group of n arrivals releases together; one of them is
/// the leader.
///   kyoto::barrier b(3);
///   auto r = co_await b.wait();   if (r.is_leader()) ...
class barrier {
 public:
  explicit barrier(std::size_t n) : n_(n) {
    if (n == 0) throw std::invalid_argument("kyoto::barrier: n must be > 0");
  }
  barrier(const barrier&) = delete;
  barrier& operator=(const barrier&) = delete;

  struct wait_result {
    bool leader;
    bool is_leader() const noexcept { return leader; }
  };

  class [[nodiscard]] wait_future {
   public:
    using output_type = wait_result;
    explicit wait_future(barrier& b) noexcept : b_(&b) {}
    wait_future(wait_future&& o) noexcept : b_(o.b_), generation_(o.generation_) {
      if (o.wait_) wait_.emplace(std::move(*o.wait_));
    }
    poll_result<wait_result> poll(context& cx) {
      if (!wait_) {
        // Arrive: the last of a group releases the others.
        kyoto::detail::unique_lock lock(b_->lock_);
        generation_ = b_->generation_;
        wait_.emplace(b_->released_.notified());
        if (++b_->arrived_ == b_->n_) {
          b_->arrived_ = 0;
          ++b_->generation_;
          lock.unlock();
          b_->released_.notify_waiters();
          return wait_result{true};
        }
      }
      for (;;) {
        {
          kyoto::detail::lock_guard lock(b_->lock_);
          if (b_->generation_ != generation_) return wait_result{false};
        }
        if (wait_->poll(cx).is_pending()) return pending;
        wait_.emplace(b_->released_.notified());
      }
    }

   private:
    barrier* b_;
    std::uint64_t generation_ = 0;
    std::optional<notify::notified_future> wait_;
  };

  wait_future wait() noexcept { return wait_future(*this); }

 private:
  const std::size_t n_;
  kyoto::detail::mutex lock_;
  std::size_t arrived_ = 0;       // guarded by lock_
  std::uint64_t generation_ = 0;  // guarded by lock_
  notify released_;
};

}  // namespace kyoto
