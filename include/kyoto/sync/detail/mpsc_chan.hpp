// mpsc_chan: the state a kyoto::mpsc channel's endpoints share, and the
// operations on it (Tokio's sync/mpsc/chan.rs plays this role; the public
// fronts are in kyoto/sync/mpsc.hpp).
//
// Layout. chan<T, Policy> derives from chan_base, which holds what every
// channel has: the receiver's waker and waiting flag, the reference counts
// and the closed flag. The policy, fixed at compile time, brings the queue
// and the capacity accounting (Tokio's Semaphore trait for Chan<T, S>):
//   bounded_policy    ring_queue (sequence-numbered cells, CAS on the
//                     tail) + a batch_semaphore of free slots;
//   unbounded_policy  linked_queue (one exchange per push), no capacity:
//                     every capacity operation is an empty inline function,
//                     so the unbounded code has no capacity branch at all.
// The fronts (sender, receiver, permit, the futures) hold a chan_base* and
// read chan_base::bounded once per operation to pick the policy (visit());
// everything after that is compiled for one policy. The flag exists
// because one sender<T>/receiver<T> type serves both kinds (the contract:
// both constructors give mpsc::sender<T> and mpsc::receiver<T>).
//
// Who touches what.
//   rx_waiting   set by the receiver before it waits; cleared by whoever
//                consumes it (a producer's exchange, or the receiver that
//                found a value after announcing). Own cache line: producers
//                read it once per message, the receiver rarely writes it.
//   rx_waker     registered by the receiver only; woken by producers, by
//                the last sender's drop and by nobody else (atomic_waker).
//   refs         every sender, every permit and the receiver hold one; the
//                last release deletes the channel (acq_rel: the deleter
//                sees every other holder's writes).
//   senders      live senders (permits do not count). The last one to go
//                wakes the receiver; the receiver reads it (acquire) only
//                after finding the queue empty.
//   rx_closed    set once by the receiver (close() or drop), read by
//                senders (acquire) before reserving or pushing.
//   queue        producers push (after holding a slot, when bounded); only
//                the receiver pops.
//   slots        bounded: free capacity. Senders take a slot (try_acquire,
//                or a queued, fair acquire_future when full) before
//                pushing; the receiver gives slots back; an unused permit
//                or sink reservation gives its slot back; close() wakes
//                every waiting sender with "closed".
//   unreleased   bounded, receiver only: received, not yet given back.
//
// No lost wake-up (Dekker-style, two seq_cst fences). A producer publishes
// its value in the queue, issues a seq_cst fence and reads rx_waiting; only
// if it is set does it exchange it to false and wake rx_waker. The receiver
// registers its waker, sets rx_waiting, issues a seq_cst fence and looks at
// the queue again before answering pending. The two fences order the two
// store->load pairs, so at least one side sees the other's store: either the
// producer sees the flag (and wakes), or the receiver's second look finds
// the value. A busy channel therefore pays one fence and one read of a
// rarely written line per message instead of two contended read-modify-
// writes on the waker's state. A value whose push is under way (a claimed
// ring cell or an unlinked node) reads as empty; its producer runs the
// fence and the check after publishing, so it wakes the receiver then.
//
// Capacity returns in batches. The receiver gives slots back once per
// release_batch messages (at most 16, at most an eighth of the capacity,
// at least 1): one contended update of the permit count per batch instead
// of one per message. It always gives back what it holds before it waits
// (release_held() in poll_recv and try_recv), so a sender waiting for room
// is never stranded behind a receiver that is itself waiting. The cost: a
// waiting sender may wait up to release_batch - 1 more receives, and
// try_send may see that many fewer free slots.
//
// Close and drop. receiver close(): rx_closed = true (release), then the
// semaphore closes, which wakes every waiting sender with "closed" (they
// give their values back); queued values can still be received. Receiver
// drop: close(), drain and destroy the queued values, release its ref. A
// sender checks rx_closed before it reserves; a permit or a sink, which
// hold a slot for a while, check it again before filling it
// (send_reserved). A push that races with close() is still received, or
// destroyed by the receiver's drain or with the channel (whose queue
// destroys what it holds), never leaked. Last sender's drop:
// senders reaches 0 (acq_rel, after its last push) and it wakes the
// receiver, which then looks at the queue once more before reporting the
// end: a push happens before its sender's count drops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/detail/atomic_waker.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/sync/detail/batch_semaphore.hpp"
#include "kyoto/sync/detail/mpsc_queues.hpp"

namespace kyoto::mpsc::detail {

using kyoto::detail::batch_semaphore;
using slot_result = batch_semaphore::try_result;
/// Where a sender waits for a slot while the channel is full (bounded only;
/// it lives in the waiting future, so waiting allocates nothing).
using slot_wait = std::optional<batch_semaphore::acquire_future>;

struct bounded_policy {
  static constexpr bool bounded = true;
  template <class T>
  using queue = kyoto::detail::ring_queue<T>;
  template <class T>
  static queue<T> make_queue(std::size_t capacity) {
    return queue<T>(capacity);
  }

  // Free capacity. Guarded as batch_semaphore is; unreleased_ is the
  // receiver's alone.
  class slots {
   public:
    explicit slots(std::size_t capacity) noexcept
        : sem_(capacity),
          release_batch_(capacity / 8 ? (capacity / 8 < 16 ? capacity / 8 : 16) : 1) {}
    slot_result try_acquire() noexcept { return sem_.try_acquire(1); }
    /// Waits in `wait` (emplaced on first use) until a slot is held.
    poll_result<bool> poll_acquire(slot_wait& wait, context& cx) {
      if (!wait) {
        // Fast path: a free slot, taken with one CAS; the waiting
        // machinery (a queued, fair acquire) is built only when full.
        switch (sem_.try_acquire(1)) {
          case slot_result::ok:
            return true;
          case slot_result::closed:
            return false;
          case slot_result::no_permits:
            break;
        }
        wait.emplace(sem_, 1);
      }
      auto r = wait->poll(cx);
      if (r.is_ready()) wait.reset();
      return r;
    }
    void give_back_one() { sem_.release(1); }
    void received() {
      if (++unreleased_ >= release_batch_) release_held();
    }
    void release_held() {
      if (unreleased_) sem_.release(std::exchange(unreleased_, 0));
    }
    void close() { sem_.close(); }
    std::size_t available() const noexcept { return sem_.available_permits(); }

   private:
    batch_semaphore sem_;
    const std::size_t release_batch_;  // at most 16, at most an eighth of the capacity
    std::size_t unreleased_ = 0;       // receiver only: received, not yet given back
  };
};

struct unbounded_policy {
  static constexpr bool bounded = false;
  template <class T>
  using queue = kyoto::detail::linked_queue<T>;
  template <class T>
  static queue<T> make_queue(std::size_t) {
    return queue<T>();
  }

  // No capacity: every operation is free and always succeeds.
  struct slots {
    explicit slots(std::size_t) noexcept {}
    static constexpr slot_result try_acquire() noexcept { return slot_result::ok; }
    static constexpr poll_result<bool> poll_acquire(slot_wait&, context&) noexcept { return true; }
    static constexpr void give_back_one() noexcept {}
    static constexpr void received() noexcept {}
    static constexpr void release_held() noexcept {}
    static constexpr void close() noexcept {}
    static constexpr std::size_t available() noexcept {
      return std::numeric_limits<std::size_t>::max();
    }
  };
};

struct chan_base {
  explicit chan_base(bool is_bounded) noexcept : bounded(is_bounded) {}

  // Producers wake the receiver only when it announced that it waits (see
  // the top of this file); called after every push.
  void wake_rx() {
    kyoto::detail::atomic_thread_fence(std::memory_order_seq_cst);
    if (rx_waiting.load(std::memory_order_relaxed) &&
        rx_waiting.exchange(false, std::memory_order_acq_rel))
      rx_waker.wake();
  }
  bool is_closed() const noexcept { return rx_closed.load(std::memory_order_acquire); }
  void add_sender() noexcept {
    senders.fetch_add(1, std::memory_order_relaxed);
    refs.fetch_add(1, std::memory_order_relaxed);
  }
  void add_ref() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  /// True for the last one: it deletes the channel.
  bool drop_ref() noexcept { return refs.fetch_sub(1, std::memory_order_acq_rel) == 1; }

  alignas(64) kyoto::detail::atomic<bool> rx_waiting{false};  // see wake_rx
  kyoto::detail::atomic_waker rx_waker;
  alignas(64) kyoto::detail::atomic<std::size_t> refs{2};  // senders + permits + receiver
  kyoto::detail::atomic<std::size_t> senders{1};
  kyoto::detail::atomic<bool> rx_closed{false};
  const bool bounded;  // the policy; next to rx_closed, which every send reads
};

template <class T, class Policy>
struct chan final : chan_base {
  using policy = Policy;
  explicit chan(std::size_t capacity)
      : chan_base(Policy::bounded),
        slots(capacity),
        queue(Policy::template make_queue<T>(capacity)) {}

  // ---- senders
  /// A slot for one value: ok, no_permits (full) or closed.
  slot_result try_reserve() {
    if (is_closed()) return slot_result::closed;
    return slots.try_acquire();
  }
  /// Ready with true once a slot is held, false if the receiver is gone.
  poll_result<bool> poll_reserve(slot_wait& wait, context& cx) {
    if (is_closed()) return false;
    return slots.poll_acquire(wait, cx);
  }
  /// Fills a held slot; false (and the slot back) if the receiver is gone,
  /// and then v is untouched.
  bool send_reserved(T&& v) {
    if (is_closed()) {
      slots.give_back_one();
      return false;
    }
    push(std::move(v));
    return true;
  }
  void push(T&& v) {
    if constexpr (Policy::bounded) {
      bool ok = queue.push(std::move(v));
      (void)ok;  // a held slot guarantees a free cell
    } else {
      queue.push(std::move(v));
    }
    wake_rx();
  }
  void drop_sender() {
    if (senders.fetch_sub(1, std::memory_order_acq_rel) == 1) rx_waker.wake();
    release();
  }
  void release() {
    if (drop_ref()) delete this;
  }

  // ---- the receiver
  std::optional<T> pop() {
    std::optional<T> v = queue.pop();
    if (v) slots.received();
    return v;
  }
  poll_result<std::optional<T>> poll_recv(context& cx) {
    if (auto v = pop()) return v;
    slots.release_held();  // before waiting: senders may be waiting for room
    // Every sender is gone: their last pushes happened before the count
    // dropped, so one more look finds them, or the channel has ended.
    if (senders.load(std::memory_order_acquire) == 0) return pop();
    rx_waker.register_waker(cx.waker());
    rx_waiting.store(true, std::memory_order_relaxed);
    kyoto::detail::atomic_thread_fence(std::memory_order_seq_cst);  // see wake_rx
    if (auto v = pop()) {
      if (rx_waiting.load(std::memory_order_relaxed))
        rx_waiting.store(false, std::memory_order_relaxed);
      return v;
    }
    if (senders.load(std::memory_order_acquire) == 0) return pop();  // as above
    return pending;
  }
  /// A value, or nullopt with `disconnected` telling empty from ended.
  std::optional<T> try_recv(bool& disconnected) {
    if (auto v = pop()) return v;
    slots.release_held();
    disconnected = senders.load(std::memory_order_acquire) == 0;
    // A sender's last push happens before its count drops: look once more.
    return disconnected ? pop() : std::nullopt;
  }
  void close() {
    rx_closed.store(true, std::memory_order_release);
    slots.close();
  }
  void drop_receiver() {
    close();
    while (pop()) {
    }
    release();
  }

  [[no_unique_address]] typename Policy::slots slots;  // empty when unbounded
  typename Policy::template queue<T> queue;
};

/// Calls f with the channel as its concrete chan<T, Policy>: the one
/// run-time choice of an operation.
template <class T, class F>
decltype(auto) visit(chan_base* c, F&& f) {
  if (c->bounded) return f(*static_cast<chan<T, bounded_policy>*>(c));
  return f(*static_cast<chan<T, unbounded_policy>*>(c));
}

/// A sender's sink state (poll_ready/start_send), one word: bit 0 says that
/// poll_ready granted a slot that start_send will fill; the rest points to
/// the slot_wait that poll_ready waits in while the channel is full,
/// allocated the first time a sink has to wait and reused until the sender
/// is destroyed. A plain send() never touches it.
class sink_state {
 public:
  sink_state() noexcept = default;
  sink_state(sink_state&& o) noexcept : word_(std::exchange(o.word_, 0)) {}
  sink_state& operator=(sink_state&& o) noexcept {
    std::swap(word_, o.word_);
    return *this;
  }
  ~sink_state() { delete wait(); }

  bool reserved() const noexcept { return word_ & 1; }
  void set_reserved(bool r) noexcept { word_ = (word_ & ~std::uintptr_t{1}) | std::uintptr_t{r}; }
  slot_wait* wait() const noexcept {
    return reinterpret_cast<slot_wait*>(word_ & ~std::uintptr_t{1});
  }
  slot_wait& ensure_wait() {
    if (!wait()) word_ |= reinterpret_cast<std::uintptr_t>(new slot_wait);
    return *wait();
  }
  /// Gives up a pending wait (unlinks its node) and keeps the allocation.
  void cancel_wait() noexcept {
    if (auto* w = wait()) w->reset();
  }

 private:
  static_assert(alignof(slot_wait) >= 2);
  std::uintptr_t word_ = 0;
};

}  // namespace kyoto::mpsc::detail
