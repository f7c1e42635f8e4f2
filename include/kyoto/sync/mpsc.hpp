// mpsc: multi-producer, single-consumer channels, bounded and unbounded.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <variant>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/detail/atomic_waker.hpp"
#include "kyoto/runtime/coop.hpp"
#include "kyoto/sync/detail/batch_semaphore.hpp"
#include "kyoto/sync/detail/mpsc_queues.hpp"

namespace kyoto::mpsc {

template <class T>
class sender;
template <class T>
class receiver;

/// The receiver is gone (the sink interface's error).
struct closed_error {};

/// try_send failed; the value comes back in `value`.
template <class T>
struct try_send_error {
  enum class kind { full, closed } why;
  T value;
  bool is_full() const noexcept { return why == kind::full; }
  bool is_closed() const noexcept { return why == kind::closed; }
};

/// try_recv found no message: empty (a sender may still send one) or
/// disconnected (every sender is gone and the queue is drained: recv()
/// would give nullopt).
struct try_recv_error {
  enum class kind { empty, disconnected } why;
  bool is_empty() const noexcept { return why == kind::empty; }
  bool is_disconnected() const noexcept { return why == kind::disconnected; }
};

namespace detail {

// Shared by the endpoints. refs_ counts senders + the receiver; the last
// one frees it. Bounded channels reserve a slot with a semaphore permit
// before pushing (the permit returns when the value is received), so the
// ring never overflows and waiting senders queue fairly.
template <class T>
struct chan {
  explicit chan(std::size_t capacity)
      : release_batch(capacity / 8 ? (capacity / 8 < 16 ? capacity / 8 : 16) : 1),
        bounded(capacity != 0),
        slots(capacity ? capacity : 1) {
    if (bounded) ring.emplace(capacity);
  }

  void push(T&& v) {
    if (bounded) {
      bool ok = ring->push(std::move(v));
      (void)ok;  // a permit guarantees a free cell
    } else {
      list.push(std::move(v));
    }
    wake_rx();
  }
  // Producers wake the receiver only when it announced that it waits, so
  // a busy channel costs a fence and a read of a line the receiver rarely
  // writes, instead of two read-modify-writes per message. Dekker-style:
  // producer: publish the value; fence; read rx_waiting. Receiver: set
  // rx_waiting; fence; look at the queue again (receiver::poll_next).
  // One of the two sees the other's write, so no wake-up is lost.
  void wake_rx() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (rx_waiting.load(std::memory_order_relaxed) &&
        rx_waiting.exchange(false, std::memory_order_acq_rel))
      rx_waker.wake();
  }
  // The consumer gives capacity back in batches (one contended update of
  // the permit count per release_batch messages instead of one each), and
  // always before it waits itself: release_held(). A waiting sender may
  // therefore wait for up to release_batch - 1 more receives (at most an
  // eighth of the capacity), and try_send may see that many fewer slots.
  std::optional<T> pop() {
    std::optional<T> v = bounded ? ring->pop() : list.pop();
    if (v && bounded && ++unreleased >= release_batch) release_held();
    return v;
  }
  void release_held() {
    if (unreleased) slots.release(std::exchange(unreleased, 0));
  }
  void release_ref() {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  const std::size_t release_batch;  // at most 16, at most an eighth of the capacity
  const bool bounded;
  std::size_t unreleased = 0;            // consumer only: received, not yet given back
  kyoto::detail::batch_semaphore slots;  // free capacity (bounded only)
  std::optional<kyoto::detail::ring_queue<T>> ring;
  kyoto::detail::linked_queue<T> list;
  alignas(64) std::atomic<bool> rx_waiting{false};  // see wake_rx
  kyoto::detail::atomic_waker rx_waker;
  alignas(64) std::atomic<std::size_t> refs{2};
  std::atomic<std::size_t> senders{1};
  std::atomic<bool> rx_closed{false};
};

}  // namespace detail

/// Copyable (a copy is another sender of the same channel). The channel
/// closes for the receiver when the last sender is gone.
///   auto [tx, rx] = kyoto::mpsc::channel<int>(1024);
///   if (!co_await tx.send(1)) { /* receiver gone: the value came back */ }
/// Cancel safety: dropping a pending send() enqueues nothing (the value is
/// dropped with the future) and gives up its place in the queue of
/// waiting senders.
template <class T>
class sender {
 public:
  using sink_error = closed_error;

  sender(const sender& o) noexcept : c_(o.c_) {
    if (c_) {
      c_->senders.fetch_add(1, std::memory_order_relaxed);
      c_->refs.fetch_add(1, std::memory_order_relaxed);
    }
  }
  // Not while a poll_ready is pending (its waiter node would move).
  sender(sender&& o) noexcept
      : c_(std::exchange(o.c_, nullptr)), reserved_(std::exchange(o.reserved_, false)) {}
  sender& operator=(sender o) noexcept {
    std::swap(c_, o.c_);
    std::swap(reserved_, o.reserved_);
    return *this;
  }
  ~sender() {
    if (!c_) return;
    reserve_.reset();
    if (reserved_ && c_->bounded) c_->slots.release(1);
    if (c_->senders.fetch_sub(1, std::memory_order_acq_rel) == 1) c_->rx_waker.wake();
    c_->release_ref();
  }

  class [[nodiscard]] send_future {
   public:
    using output_type = result<void, T>;
    send_future(detail::chan<T>* c, T v) : c_(c), value_(std::move(v)) {}
    // Only an unpolled future moves (it has no waiting permit yet).
    send_future(send_future&& o) noexcept : c_(o.c_), value_(std::move(o.value_)) {}

    poll_result<output_type> poll(context& cx) {
      if (c_->rx_closed.load(std::memory_order_acquire)) return give_back();
      if (c_->bounded) {
        if (!permit_) {
          // Fast path: a free slot, taken with one CAS; the waiting
          // machinery (a queued, fair acquire) is built only when full.
          switch (c_->slots.try_acquire(1)) {
            case kyoto::detail::batch_semaphore::try_result::ok:
              return push_value();
            case kyoto::detail::batch_semaphore::try_result::closed:
              return give_back();
            case kyoto::detail::batch_semaphore::try_result::no_permits:
              break;
          }
          permit_.emplace(c_->slots, 1);
        }
        auto r = permit_->poll(cx);
        if (r.is_pending()) return pending;
        if (!r.value()) return give_back();  // closed while waiting
      }
      return push_value();
    }

   private:
    poll_result<output_type> push_value() {
      c_->push(std::move(*value_));
      value_.reset();
      return output_type();
    }
    poll_result<output_type> give_back() {
      T v = std::move(*value_);
      value_.reset();
      return output_type(kyoto::err(std::move(v)));
    }
    detail::chan<T>* c_;
    std::optional<T> value_;
    std::optional<kyoto::detail::batch_semaphore::acquire_future> permit_;  // while full
  };

  /// Waits for room (bounded) and enqueues v; the value comes back as the
  /// error when the receiver is gone.
  send_future send(T v) { return send_future(c_, std::move(v)); }

  /// A reserved slot: send() fills it without waiting; dropping the permit
  /// gives the slot back.
  class [[nodiscard]] permit {
   public:
    permit(permit&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
    permit& operator=(permit&&) = delete;
    ~permit() {
      if (!c_) return;
      if (c_->bounded) c_->slots.release(1);
      c_->release_ref();
    }
    /// Enqueues v (dropped if the receiver is gone). Consumes the permit.
    void send(T v) {
      auto* c = std::exchange(c_, nullptr);
      if (!c) return;
      if (c->rx_closed.load(std::memory_order_acquire)) {
        if (c->bounded) c->slots.release(1);
      } else {
        c->push(std::move(v));
      }
      c->release_ref();
    }

   private:
    friend class sender;
    explicit permit(detail::chan<T>* c) noexcept : c_(c) {
      c_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    detail::chan<T>* c_;
  };

  /// Waits for a free slot (bounded) and reserves it, so that the value can
  /// be produced and sent afterwards without waiting (Tokio's reserve):
  ///   auto p = co_await tx.reserve();   // result<permit, closed_error>
  ///   if (p) p->send(make_value());
  /// Cancel safety: dropping a pending reserve() keeps no slot.
  class [[nodiscard]] reserve_future {
   public:
    using output_type = result<permit, closed_error>;
    explicit reserve_future(detail::chan<T>* c) : c_(c), slot_(c->slots, 1) {}
    reserve_future(reserve_future&& o) noexcept : c_(o.c_), slot_(std::move(o.slot_)) {}
    poll_result<output_type> poll(context& cx) {
      if (c_->rx_closed.load(std::memory_order_acquire)) {
        return output_type(kyoto::err(closed_error{}));
      }
      if (c_->bounded) {
        auto r = slot_.poll(cx);
        if (r.is_pending()) return pending;
        if (!r.value()) return output_type(kyoto::err(closed_error{}));
      }
      return output_type(permit(c_));
    }

   private:
    detail::chan<T>* c_;
    kyoto::detail::batch_semaphore::acquire_future slot_;
  };
  reserve_future reserve() { return reserve_future(c_); }

  /// Enqueues now or fails with the value: full (bounded) or closed.
  result<void, try_send_error<T>> try_send(T v) {
    using err_t = try_send_error<T>;
    if (c_->rx_closed.load(std::memory_order_acquire)) {
      return kyoto::err(err_t{err_t::kind::closed, std::move(v)});
    }
    if (c_->bounded) {
      switch (c_->slots.try_acquire(1)) {
        case kyoto::detail::batch_semaphore::try_result::ok:
          break;
        case kyoto::detail::batch_semaphore::try_result::closed:
          return kyoto::err(err_t{err_t::kind::closed, std::move(v)});
        case kyoto::detail::batch_semaphore::try_result::no_permits:
          return kyoto::err(err_t{err_t::kind::full, std::move(v)});
      }
    }
    c_->push(std::move(v));
    return {};
  }

  bool is_closed() const noexcept { return c_->rx_closed.load(std::memory_order_acquire); }

  // The sink interface (the futures crate's Sink): poll_ready reserves a
  // slot, start_send fills it. kyoto::send(tx, v) and kyoto::forward use it.
  poll_result<result<void, closed_error>> poll_ready(context& cx) {
    using out = result<void, closed_error>;
    if (reserved_) return out();
    if (c_->rx_closed.load(std::memory_order_acquire)) return out(kyoto::err(closed_error{}));
    if (c_->bounded) {
      if (!reserve_) reserve_.emplace(c_->slots, 1);
      auto r = reserve_->poll(cx);
      if (r.is_pending()) return pending;
      reserve_.reset();
      if (!r.value()) return out(kyoto::err(closed_error{}));
    }
    reserved_ = true;
    return out();
  }
  result<void, closed_error> start_send(T v) {
    reserved_ = false;
    if (c_->rx_closed.load(std::memory_order_acquire)) {
      if (c_->bounded) c_->slots.release(1);
      return kyoto::err(closed_error{});
    }
    c_->push(std::move(v));
    return {};
  }
  poll_result<result<void, closed_error>> poll_flush(context&) {
    return result<void, closed_error>();
  }
  poll_result<result<void, closed_error>> poll_close(context&) {
    return result<void, closed_error>();
  }

  /// Free slots right now (bounded).
  std::size_t capacity() const noexcept { return c_->slots.available_permits(); }

 private:
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel(std::size_t);
  template <class U>
  friend std::pair<sender<U>, receiver<U>> unbounded_channel();
  explicit sender(detail::chan<T>* c) noexcept : c_(c) {}
  detail::chan<T>* c_;
  std::optional<kyoto::detail::batch_semaphore::acquire_future> reserve_;  // pending poll_ready
  bool reserved_ = false;  // poll_ready granted a slot that start_send will use
};

/// The one consumer: `co_await rx.recv()` -> std::optional<T>, nullopt once
/// every sender is gone and the queue is drained.
/// Cancel safety: dropping a pending recv() loses no message.
template <class T>
class receiver {
 public:
  using item_type = T;
  receiver(receiver&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  receiver& operator=(receiver&& o) noexcept {
    if (this != &o) {
      drop();
      c_ = std::exchange(o.c_, nullptr);
    }
    return *this;
  }
  ~receiver() { drop(); }

  /// The stream interface, and what recv() polls.
  poll_result<std::optional<T>> poll_next(context& cx) {
    if (!coop::poll_proceed(cx)) return pending;
    if (auto v = c_->pop()) return std::optional<T>(std::move(v));
    c_->release_held();  // before waiting: senders may be waiting for room
    if (c_->senders.load(std::memory_order_acquire) == 0) return drained_or_value();
    c_->rx_waker.register_waker(cx.waker());
    c_->rx_waiting.store(true, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // see chan::wake_rx
    if (auto v = c_->pop()) {
      if (c_->rx_waiting.load(std::memory_order_relaxed))
        c_->rx_waiting.store(false, std::memory_order_relaxed);
      return std::optional<T>(std::move(v));
    }
    if (c_->senders.load(std::memory_order_acquire) == 0) return drained_or_value();
    return pending;
  }

  class [[nodiscard]] recv_future {
   public:
    using output_type = std::optional<T>;
    explicit recv_future(receiver& r) noexcept : r_(&r) {}
    poll_result<std::optional<T>> poll(context& cx) { return r_->poll_next(cx); }

   private:
    receiver* r_;
  };
  recv_future recv() noexcept { return recv_future(*this); }

  /// A message if one is queued now; otherwise empty or disconnected:
  ///   auto r = rx.try_recv();              // result<T, try_recv_error>
  ///   if (!r && r.error().is_disconnected()) co_return;   // no sender left
  /// A message whose send is still under way reads as empty.
  result<T, try_recv_error> try_recv() {
    if (auto v = c_->pop()) return std::move(*v);
    c_->release_held();
    if (c_->senders.load(std::memory_order_acquire) == 0) {
      // A sender's last push happens before its count drops: look once more.
      if (auto v = c_->pop()) return std::move(*v);
      return kyoto::err(try_recv_error{try_recv_error::kind::disconnected});
    }
    return kyoto::err(try_recv_error{try_recv_error::kind::empty});
  }

  /// No more sends are accepted (waiting senders get their values back);
  /// what is queued can still be received.
  void close() {
    c_->rx_closed.store(true, std::memory_order_release);
    if (c_->bounded) c_->slots.close();
  }

 private:
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel(std::size_t);
  template <class U>
  friend std::pair<sender<U>, receiver<U>> unbounded_channel();
  explicit receiver(detail::chan<T>* c) noexcept : c_(c) {}

  poll_result<std::optional<T>> drained_or_value() {
    // A sender's last push happens before its count drops: look once more.
    if (auto v = c_->pop()) return std::optional<T>(std::move(v));
    return std::optional<T>();
  }
  void drop() {
    if (!c_) return;
    close();
    while (c_->pop()) {
    }
    std::exchange(c_, nullptr)->release_ref();
  }
  detail::chan<T>* c_;
};

/// A bounded channel: send waits while `capacity` messages are queued.
template <class T>
std::pair<sender<T>, receiver<T>> channel(std::size_t capacity) {
  if (capacity == 0) throw std::invalid_argument("kyoto::mpsc::channel: capacity must be > 0");
  auto* c = new detail::chan<T>(capacity);
  return {sender<T>(c), receiver<T>(c)};
}

/// An unbounded channel: send never waits (memory is the limit).
template <class T>
std::pair<sender<T>, receiver<T>> unbounded_channel() {
  auto* c = new detail::chan<T>(0);
  return {sender<T>(c), receiver<T>(c)};
}

}  // namespace kyoto::mpsc
