// mpsc: multi-producer, single-consumer channels, bounded and unbounded.
//
//   auto [tx, rx] = kyoto::mpsc::channel<int>(1024);    // or unbounded_channel<int>()
//   co_await tx.send(1);                                 // result<void, int>
//   while (auto v = co_await rx.recv()) use(*v);         // nullopt: every sender is gone
//
// The endpoints are handles to a shared detail::chan (the protocol, the
// queues and the two capacity policies are in kyoto/sync/detail/mpsc_chan.hpp);
// the errors are in kyoto/sync/mpsc_error.hpp.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/runtime/coop.hpp"
#include "kyoto/sync/detail/mpsc_chan.hpp"
#include "kyoto/sync/mpsc_error.hpp"

namespace kyoto::mpsc {

template <class T>
class sender;
template <class T>
class receiver;

/// A bounded channel: send waits while `capacity` messages are queued.
/// Throws std::invalid_argument for a capacity of 0.
template <class T>
std::pair<sender<T>, receiver<T>> channel(std::size_t capacity);

/// An unbounded channel: send never waits (memory is the limit).
template <class T>
std::pair<sender<T>, receiver<T>> unbounded_channel();

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
    if (c_) c_->add_sender();
  }
  sender(sender&& o) noexcept : c_(std::exchange(o.c_, nullptr)), sink_(std::move(o.sink_)) {}
  sender& operator=(sender o) noexcept {
    std::swap(c_, o.c_);
    std::swap(sink_, o.sink_);
    return *this;
  }
  ~sender() {
    if (!c_) return;
    detail::visit<T>(c_, [this](auto& ch) {
      sink_.cancel_wait();
      if (sink_.reserved()) ch.slots.give_back_one();
      ch.drop_sender();
    });
  }

  class [[nodiscard]] send_future {
   public:
    using output_type = result<void, T>;
    send_future(detail::chan_base* c, T v) : c_(c), value_(std::move(v)) {}
    // Only an unpolled future moves (it has no waiting slot yet).
    send_future(send_future&& o) noexcept : c_(o.c_), value_(std::move(o.value_)) {}

    poll_result<output_type> poll(context& cx) {
      return detail::visit<T>(c_, [&](auto& ch) -> poll_result<output_type> {
        auto r = ch.poll_reserve(wait_, cx);
        if (r.is_pending()) return pending;
        T v = std::move(*value_);
        value_.reset();
        if (!r.value()) return output_type(kyoto::err(std::move(v)));  // closed
        ch.push(std::move(v));
        return output_type();
      });
    }

   private:
    detail::chan_base* c_;
    std::optional<T> value_;
    detail::slot_wait wait_;  // while full
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
      detail::visit<T>(c_, [](auto& ch) {
        ch.slots.give_back_one();
        ch.release();
      });
    }
    /// Enqueues v (dropped if the receiver is gone). Consumes the permit.
    void send(T v) {
      auto* c = std::exchange(c_, nullptr);
      if (!c) return;
      detail::visit<T>(c, [&](auto& ch) {
        (void)ch.send_reserved(std::move(v));
        ch.release();
      });
    }

   private:
    friend class sender;
    explicit permit(detail::chan_base* c) noexcept : c_(c) { c_->add_ref(); }
    detail::chan_base* c_;
  };

  /// Waits for a free slot (bounded) and reserves it, so that the value can
  /// be produced and sent afterwards without waiting (Tokio's reserve):
  ///   auto p = co_await tx.reserve();   // result<permit, closed_error>
  ///   if (p) p->send(make_value());
  /// Cancel safety: dropping a pending reserve() keeps no slot.
  class [[nodiscard]] reserve_future {
   public:
    using output_type = result<permit, closed_error>;
    explicit reserve_future(detail::chan_base* c) noexcept : c_(c) {}
    // Only an unpolled future moves (it has no waiting slot yet).
    reserve_future(reserve_future&& o) noexcept : c_(o.c_) {}
    poll_result<output_type> poll(context& cx) {
      auto r = detail::visit<T>(c_, [&](auto& ch) { return ch.poll_reserve(wait_, cx); });
      if (r.is_pending()) return pending;
      if (!r.value()) return output_type(kyoto::err(closed_error{}));
      return output_type(permit(c_));
    }

   private:
    detail::chan_base* c_;
    detail::slot_wait wait_;  // while full
  };
  reserve_future reserve() { return reserve_future(c_); }

  /// Enqueues now or fails with the value: full (bounded) or closed.
  result<void, try_send_error<T>> try_send(T v) {
    using err_t = try_send_error<T>;
    return detail::visit<T>(c_, [&](auto& ch) -> result<void, err_t> {
      switch (ch.try_reserve()) {
        case detail::slot_result::ok:
          ch.push(std::move(v));
          return {};
        case detail::slot_result::no_permits:
          return kyoto::err(err_t{err_t::kind::full, std::move(v)});
        case detail::slot_result::closed:
          break;
      }
      return kyoto::err(err_t{err_t::kind::closed, std::move(v)});
    });
  }

  bool is_closed() const noexcept { return c_->is_closed(); }

  /// Free slots right now (bounded; SIZE_MAX for an unbounded channel).
  std::size_t capacity() const noexcept {
    return detail::visit<T>(c_, [](auto& ch) { return ch.slots.available(); });
  }

  // The sink interface (the futures crate's Sink): poll_ready reserves a
  // slot, start_send fills it. kyoto::send(tx, v) and kyoto::forward use it.
  // Its state is one word (detail::sink_state): a waiting poll_ready's node
  // is allocated the first time the sink has to wait, and does not move
  // with the sender.
  poll_result<result<void, closed_error>> poll_ready(context& cx) {
    using out = result<void, closed_error>;
    if (sink_.reserved()) return out();
    auto r = detail::visit<T>(c_, [&](auto& ch) -> poll_result<bool> {
      if (auto* w = sink_.wait()) return ch.poll_reserve(*w, cx);
      switch (ch.try_reserve()) {
        case detail::slot_result::ok:
          return true;
        case detail::slot_result::closed:
          return false;
        case detail::slot_result::no_permits:
          break;
      }
      return ch.poll_reserve(sink_.ensure_wait(), cx);
    });
    if (r.is_pending()) return pending;
    if (!r.value()) return out(kyoto::err(closed_error{}));
    sink_.set_reserved(true);
    return out();
  }
  result<void, closed_error> start_send(T v) {
    sink_.set_reserved(false);
    if (!detail::visit<T>(c_, [&](auto& ch) { return ch.send_reserved(std::move(v)); }))
      return kyoto::err(closed_error{});
    return {};
  }
  poll_result<result<void, closed_error>> poll_flush(context&) {
    return result<void, closed_error>();
  }
  poll_result<result<void, closed_error>> poll_close(context&) {
    return result<void, closed_error>();
  }

 private:
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel(std::size_t);
  template <class U>
  friend std::pair<sender<U>, receiver<U>> unbounded_channel();
  explicit sender(detail::chan_base* c) noexcept : c_(c) {}
  detail::chan_base* c_;
  detail::sink_state sink_;  // poll_ready/start_send only
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
    return detail::visit<T>(c_, [&](auto& ch) { return ch.poll_recv(cx); });
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
    bool disconnected = false;
    auto v = detail::visit<T>(c_, [&](auto& ch) { return ch.try_recv(disconnected); });
    if (v) return std::move(*v);
    using kind = try_recv_error::kind;
    return kyoto::err(try_recv_error{disconnected ? kind::disconnected : kind::empty});
  }

  /// No more sends are accepted (waiting senders get their values back);
  /// what is queued can still be received.
  void close() {
    detail::visit<T>(c_, [](auto& ch) { ch.close(); });
  }

 private:
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel(std::size_t);
  template <class U>
  friend std::pair<sender<U>, receiver<U>> unbounded_channel();
  explicit receiver(detail::chan_base* c) noexcept : c_(c) {}
  void drop() {
    if (!c_) return;
    detail::visit<T>(std::exchange(c_, nullptr), [](auto& ch) { ch.drop_receiver(); });
  }
  detail::chan_base* c_;
};

template <class T>
std::pair<sender<T>, receiver<T>> channel(std::size_t capacity) {
  if (capacity == 0) throw std::invalid_argument("kyoto::mpsc::channel: capacity must be > 0");
  detail::chan_base* c = new detail::chan<T, detail::bounded_policy>(capacity);
  return {sender<T>(c), receiver<T>(c)};
}

template <class T>
std::pair<sender<T>, receiver<T>> unbounded_channel() {
  detail::chan_base* c = new detail::chan<T, detail::unbounded_policy>(0);
  return {sender<T>(c), receiver<T>(c)};
}

}  // namespace kyoto::mpsc
