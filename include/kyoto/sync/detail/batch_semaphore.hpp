// batch_semaphore: the fair semaphore under mutex, rw_lock, semaphore and
// the bounded mpsc channel (Tokio's batch_semaphore plays the same role).
//
// permits_ holds the available permits shifted left by one, with the
// closed flag in bit 0. Acquiring without waiting is a CAS on it.
// Waiters queue FIFO in queue_ (intrusive: the node lives in the acquire
// future, so waiting allocates nothing); queue_, every node's fields and
// the assignment of permits to waiters are guarded by lock_.
// Fairness: released permits go to the head waiter first (partially, if it
// needs more than are released), and only what no waiter needs returns to
// permits_. A large acquire_many at the head therefore collects permits
// and is not starved by small acquires behind it; new acquirers can only
// take permits that no queued waiter wanted.
// No lost wake-up between a releaser that finds no waiter and an acquirer
// that is about to queue: the acquirer increments waiting_ (seq_cst)
// before its last attempt on permits_; the releaser adds to permits_
// (seq_cst) before reading waiting_. Either the acquirer's attempt sees
// the permits, or the releaser sees the waiter and hands permits out
// under lock_.
// A node whose future is destroyed while queued is unlinked under lock_;
// permits it had been assigned are released again.
#pragma once

#include <cstddef>

#include "kyoto/core/future.hpp"
#include "kyoto/detail/intrusive_list.hpp"
#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {

class batch_semaphore {
 public:
  static constexpr std::size_t max_permits = ~std::size_t{0} >> 3;
  enum class try_result { ok, no_permits, closed };

  explicit batch_semaphore(std::size_t permits) noexcept : permits_(permits << 1) {}
  batch_semaphore(const batch_semaphore&) = delete;
  batch_semaphore& operator=(const batch_semaphore&) = delete;

  try_result try_acquire(std::size_t n) noexcept;
  void release(std::size_t n);
  /// Wakes every waiter with "closed"; later acquires fail.
  void close();
  bool is_closed() const noexcept { return permits_.load(std::memory_order_acquire) & 1; }
  /// Whether some acquirer is queued (a hint: read without the lock).
  bool has_waiters() const noexcept { return waiting_.load(std::memory_order_relaxed) != 0; }
  std::size_t available_permits() const noexcept {
    return permits_.load(std::memory_order_acquire) >> 1;
  }

  /// Ready with true once n permits are held, false if the semaphore closed.
  /// 64 bytes (a waiting task carries it in its frame): the owner's flags
  /// sit in the list node's tail padding, and the permits it holds are
  /// `assigned` once it is ready.
  class [[nodiscard]] acquire_future {
   public:
    using output_type = bool;
    acquire_future(batch_semaphore& s, std::size_t n) noexcept : sem_(&s) { node_.needed = n; }
    acquire_future(acquire_future&& o) noexcept : sem_(o.sem_) {
      node_.needed = o.node_.needed;  // only unpolled futures move
      o.sem_ = nullptr;
    }
    acquire_future(const acquire_future&) = delete;
    ~acquire_future();
    poll_result<bool> poll(context& cx);

    /// The semaphore, and the permits this future holds once it was ready
    /// with true (all it asked for).
    batch_semaphore* semaphore() const noexcept { return sem_; }
    std::size_t held() const noexcept { return node_.assigned; }
    /// Whether it was ready with true (false: pending, or closed).
    bool acquired() const noexcept { return node_.done; }

   private:
    friend class batch_semaphore;
    struct node : list_node {
      // In list_node's tail padding, each its own byte: closed is guarded
      // by lock_; queued and done belong to the future's owner (written
      // before the node is shared, or under lock_).
      bool closed = false;
      bool queued = false;
      bool done = false;
      kyoto::waker w;            // guarded by lock_ while queued
      std::size_t needed = 0;    // permits still to be assigned
      std::size_t assigned = 0;  // permits assigned so far
    };
    batch_semaphore* sem_;
    node node_;
  };
  static_assert(sizeof(acquire_future) <= 8 * sizeof(void*), "flags in the node's padding");

  acquire_future acquire(std::size_t n) noexcept { return acquire_future(*this, n); }

 private:
  /// Takes up to `want` permits from permits_; returns how many (or
  /// SIZE_MAX if closed).
  std::size_t take_some(std::size_t want) noexcept;
  /// Hands `n` permits (plus whatever permits_ holds) to the waiters in
  /// order; returns the rest to permits_. Called with lock_ held; wakers to
  /// wake are moved into `out` (up to its size), the count is returned.
  std::size_t assign_locked(std::size_t n, kyoto::waker* out, std::size_t out_size,
                            bool& more) noexcept;

  atomic<std::size_t> permits_;
  atomic<std::size_t> waiting_{0};
  mutex lock_;
  intrusive_list queue_;  // guarded by lock_
};

}  // namespace kyoto::detail
