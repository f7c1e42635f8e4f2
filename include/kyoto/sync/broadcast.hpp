// broadcast: every receiver sees every value (while it keeps up).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/runtime/coop.hpp"
#include "kyoto/sync/notify.hpp"

namespace kyoto::broadcast {

/// Why recv failed: closed (all senders gone, everything received), or
/// lagged: the receiver fell more than the capacity behind and `missed`
/// values were overwritten; the next recv continues with the oldest kept.
/// recv() waits while the channel is empty, so empty is not one of them.
struct recv_error {
  enum class kind { closed, lagged } why;
  std::uint64_t missed = 0;
  bool is_closed() const noexcept { return why == kind::closed; }
  bool is_lagged() const noexcept { return why == kind::lagged; }
};

/// Why try_recv got no value: empty (nothing new yet, senders remain), or
/// closed and lagged as for recv_error (`missed` counts the lost values).
struct try_recv_error {
  enum class kind { empty, closed, lagged } why;
  std::uint64_t missed = 0;
  bool is_empty() const noexcept { return why == kind::empty; }
  bool is_closed() const noexcept { return why == kind::closed; }
  bool is_lagged() const noexcept { return why == kind::lagged; }
};
template <class T>
struct send_error {
  T value;
};

template <class T>
class sender;
template <class T>
class receiver;

namespace detail {
// A ring of the last `capacity` values, guarded by lock. Value number k
// lives in slot k % capacity; tail is the number of values ever sent.
template <class T>
struct shared {
  explicit shared(std::size_t cap) : slots(cap), capacity(cap) {}
  kyoto::detail::mutex lock;
  std::vector<std::optional<T>> slots;  // guarded by lock
  std::uint64_t tail = 0;               // guarded by lock
  std::size_t senders = 1;              // guarded by lock
  std::size_t receivers = 1;            // guarded by lock
  const std::size_t capacity;
  notify sent;
};
}  // namespace detail

/// Copyable; values are copied to each receiver.
///   auto [tx, rx] = kyoto::broadcast::channel<event>(64);
///   auto rx2 = tx.subscribe();
///   tx.send(e);   // rx and rx2 both receive it
template <class T>
class sender {
 public:
  sender(const sender& o) : s_(o.s_) {
    kyoto::detail::lock_guard lock(s_->lock);
    ++s_->senders;
  }
  sender(sender&& o) noexcept : s_(std::move(o.s_)) {}
  ~sender() {
    if (!s_) return;
    bool last;
    {
      kyoto::detail::lock_guard lock(s_->lock);
      last = --s_->senders == 0;
    }
    if (last) s_->sent.notify_waiters();
  }

  /// Sends to every current receiver; returns how many there were, or the
  /// value back if there are none.
  result<std::size_t, send_error<T>> send(T v) {
    std::size_t n;
    {
      kyoto::detail::lock_guard lock(s_->lock);
      n = s_->receivers;
      if (n == 0) return kyoto::err(send_error<T>{std::move(v)});
      s_->slots[s_->tail % s_->capacity] = std::move(v);
      ++s_->tail;
    }
    s_->sent.notify_waiters();
    return n;
  }

  /// A receiver that sees values sent from now on.
  receiver<T> subscribe() const;

 private:
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel(std::size_t);
  explicit sender(std::shared_ptr<detail::shared<T>> s) : s_(std::move(s)) {}
  std::shared_ptr<detail::shared<T>> s_;
};

/// Cancel safety: dropping a pending recv() loses nothing.
/// As a stream, a receiver yields result<T, recv_error> items (lagged
/// errors included) and ends when the channel is closed.
template <class T>
class receiver {
 public:
  using item_type = result<T, recv_error>;
  receiver(receiver&& o) noexcept : s_(std::move(o.s_)), next_(o.next_) {}  // not while polled
  receiver(const receiver& o) : s_(o.s_), next_(o.next_) {
    kyoto::detail::lock_guard lock(s_->lock);
    ++s_->receivers;
  }
  ~receiver() {
    if (!s_) return;
    kyoto::detail::lock_guard lock(s_->lock);
    --s_->receivers;
  }

  /// A value now, or empty / lagged / closed:
  ///   auto r = rx.try_recv();              // result<T, try_recv_error>
  ///   if (!r && r.error().is_lagged()) log(r.error().missed);  // then go on
  result<T, try_recv_error> try_recv() {
    using kind = try_recv_error::kind;
    kyoto::detail::lock_guard lock(s_->lock);
    auto r = take_locked();
    if (!r) return kyoto::err(try_recv_error{kind::empty, 0});
    if (*r) return std::move(**r);
    const recv_error& e = r->error();
    return kyoto::err(try_recv_error{e.is_lagged() ? kind::lagged : kind::closed, e.missed});
  }

  class [[nodiscard]] recv_future {
   public:
    using output_type = result<T, recv_error>;
    explicit recv_future(receiver& r) : r_(&r) { wait_.emplace(r.s_->sent.notified()); }
    recv_future(recv_future&& o) noexcept : r_(o.r_) { wait_.emplace(std::move(*o.wait_)); }
    poll_result<output_type> poll(context& cx) {
      if (!coop::poll_proceed(cx)) return pending;
      for (;;) {
        {
          kyoto::detail::lock_guard lock(r_->s_->lock);
          if (auto r = r_->take_locked()) return std::move(*r);
        }
        if (wait_->poll(cx).is_pending()) return pending;
        wait_.emplace(r_->s_->sent.notified());
      }
    }

   private:
    receiver* r_;
    std::optional<notify::notified_future> wait_;
  };
  recv_future recv() { return recv_future(*this); }

  poll_result<std::optional<item_type>> poll_next(context& cx) {
    if (!coop::poll_proceed(cx)) return pending;
    for (;;) {
      if (!stream_wait_) stream_wait_.emplace(s_->sent.notified());
      {
        kyoto::detail::lock_guard lock(s_->lock);
        if (auto r = take_locked()) {
          stream_wait_.reset();
          if (!*r && r->error().is_closed()) return std::optional<item_type>();
          return std::optional<item_type>(std::move(*r));
        }
      }
      if (stream_wait_->poll(cx).is_pending()) return pending;
      stream_wait_.reset();
    }
  }

 private:
  friend class sender<T>;
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel(std::size_t);
  receiver(std::shared_ptr<detail::shared<T>> s, std::uint64_t next)
      : s_(std::move(s)), next_(next) {}

  // With s_->lock held. nullopt: nothing yet and senders remain.
  std::optional<result<T, recv_error>> take_locked() {
    auto& s = *s_;
    if (s.tail - next_ > s.capacity) {
      std::uint64_t oldest = s.tail - s.capacity;
      std::uint64_t missed = oldest - next_;
      next_ = oldest;
      return result<T, recv_error>(kyoto::err(recv_error{recv_error::kind::lagged, missed}));
    }
    if (next_ < s.tail) {
      T v = *s.slots[next_ % s.capacity];
      ++next_;
      return result<T, recv_error>(std::move(v));
    }
    if (s.senders == 0) {
      return result<T, recv_error>(kyoto::err(recv_error{recv_error::kind::closed, 0}));
    }
    return std::nullopt;
  }

  std::shared_ptr<detail::shared<T>> s_;
  std::uint64_t next_;
  std::optional<notify::notified_future> stream_wait_;  // poll_next's wait
};

template <class T>
receiver<T> sender<T>::subscribe() const {
  kyoto::detail::lock_guard lock(s_->lock);
  ++s_->receivers;
  return receiver<T>(s_, s_->tail);
}

template <class T>
std::pair<sender<T>, receiver<T>> channel(std::size_t capacity) {
  if (capacity == 0) throw std::invalid_argument("kyoto::broadcast::channel: capacity must be > 0");
  auto s = std::make_shared<detail::shared<T>>(capacity);
  return {sender<T>(s), receiver<T>(s, 0)};
}

}  // namespace kyoto::broadcast
