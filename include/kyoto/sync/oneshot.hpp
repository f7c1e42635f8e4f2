// oneshot: a channel for exactly one value.
//
// Shared state: one allocation with a reference count (sender + receiver)
// and a state word:
//   VALUE      the value slot holds the value (set by send).
//   TX_DONE    the sender has sent or is gone; the receiver's outcome is
//              decided. Set together with VALUE by send.
//   RX_WAKER   the waker slot holds the receiver's waker. While clear, the
//              receiver owns the slot; once set, the sender may read it
//              (only after setting TX_DONE in the same RMW), and the
//              receiver takes it back only by a CAS that fails on TX_DONE.
//   RX_CLOSED  the receiver is gone (or closed): send gives the value back.
// send and the receiver's close race on the same word: whichever RMW comes
// second sees the other's bit, and that side disposes of the value (the
// sender takes it back, or the receiver destroys it), so it is never lost
// nor destroyed twice. All RMWs are acq_rel: the value written before
// VALUE is visible to whoever observes VALUE.
#pragma once

#include <atomic>
#include <cstdint>
#include <new>
#include <optional>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/detail/alloc/frame_allocator.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/runtime/coop.hpp"

namespace kyoto::oneshot {

/// The sender went away without sending.
struct recv_error {};

/// try_recv got no value: empty (the sender may still send it) or closed
/// (the sender went away without sending, the value was already received,
/// or the receiver was closed before anything was sent).
struct try_recv_error {
  enum class kind { empty, closed } why;
  bool is_empty() const noexcept { return why == kind::empty; }
  bool is_closed() const noexcept { return why == kind::closed; }
};

template <class T>
class sender;
template <class T>
class receiver;

namespace detail {

template <class T>
struct shared {
  static constexpr std::uint32_t value_bit = 1;
  static constexpr std::uint32_t tx_done = 2;
  static constexpr std::uint32_t rx_waker = 4;
  static constexpr std::uint32_t rx_closed = 8;

  kyoto::detail::atomic<std::uint32_t> state{0};
  kyoto::detail::atomic<std::uint32_t> refs{2};
  std::optional<T> value;
  kyoto::waker rx;

  static void* operator new(std::size_t n) { return kyoto::detail::frame_block_allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept {
    kyoto::detail::frame_block_deallocate(p, n);
  }

  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

}  // namespace detail

/// Sends the one value. send() is not awaitable: it never waits.
///   auto [tx, rx] = kyoto::oneshot::channel<int>();
///   tx.send(42);                 // result<void, int>: the value back if rx is gone
template <class T>
class sender {
 public:
  sender(sender&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  sender& operator=(sender&& o) noexcept {
    if (this != &o) {
      close();
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }
  ~sender() { close(); }

  /// Delivers v, or gives it back when the receiver is gone. Consumes the
  /// sender (a second send gives the value back).
  result<void, T> send(T v) {
    if (!s_) return kyoto::err(std::move(v));
    auto* s = std::exchange(s_, nullptr);
    if (s->state.load(std::memory_order_acquire) & s->rx_closed) {
      s->release();
      return kyoto::err(std::move(v));
    }
    s->value.emplace(std::move(v));
    std::uint32_t prev = s->state.fetch_or(s->value_bit | s->tx_done, std::memory_order_acq_rel);
    if (prev & s->rx_closed) {
      T back = std::move(*s->value);
      s->value.reset();
      s->release();
      return kyoto::err(std::move(back));
    }
    if (prev & s->rx_waker) s->rx.wake_by_ref();
    s->release();
    return {};
  }

  /// True once the receiver is gone.
  bool is_closed() const noexcept {
    return !s_ || (s_->state.load(std::memory_order_acquire) & s_->rx_closed);
  }

 private:
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel();
  explicit sender(detail::shared<T>* s) noexcept : s_(s) {}
  void close() noexcept {
    if (!s_) return;
    auto* s = std::exchange(s_, nullptr);
    std::uint32_t prev = s->state.fetch_or(s->tx_done, std::memory_order_acq_rel);
    if ((prev & s->rx_waker) && !(prev & s->rx_closed)) s->rx.wake_by_ref();
    s->release();
  }
  detail::shared<T>* s_;
};

/// Awaits the one value: `co_await rx` -> result<T, recv_error>.
/// Cancel safe: dropping a pending `co_await rx` loses nothing as long as
/// the receiver itself is kept; dropping the receiver closes the channel.
template <class T>
class [[nodiscard]] receiver {
 public:
  using output_type = result<T, recv_error>;

  receiver(receiver&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  receiver& operator=(receiver&& o) noexcept {
    if (this != &o) {
      close_and_release();
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }
  ~receiver() { close_and_release(); }

  poll_result<output_type> poll(context& cx) {
    if (!s_) return output_type(kyoto::err(recv_error{}));
    if (!coop::poll_proceed(cx)) return pending;
    auto* s = s_;
    std::uint32_t st = s->state.load(std::memory_order_acquire);
    if (st & s->tx_done) return take(st);
    if (st & s->rx_waker) {
      if (s->rx.will_wake(cx.waker())) return pending;
      // Take the slot back (fails only once the sender is done).
      for (;;) {
        if (st & s->tx_done) return take(st);
        if (s->state.compare_exchange_weak(st, st & ~s->rx_waker, std::memory_order_acq_rel,
                                           std::memory_order_acquire))
          break;
      }
    }
    s->rx = cx.waker();
    st = s->state.load(std::memory_order_acquire);
    for (;;) {
      if (st & s->tx_done) return take(st);
      if (s->state.compare_exchange_weak(st, st | s->rx_waker, std::memory_order_acq_rel,
                                         std::memory_order_acquire))
        return pending;
    }
  }

  /// Stops the sender from sending; a value already sent can still be
  /// received. If none was sent, the receiver lets go of the channel at
  /// once: a send that started before close() sees RX_CLOSED in its RMW
  /// and takes its value back, so the slot is never ours to read.
  void close() noexcept {
    if (!s_) return;
    std::uint32_t prev = s_->state.fetch_or(s_->rx_closed, std::memory_order_acq_rel);
    if (!(prev & s_->value_bit)) std::exchange(s_, nullptr)->release();
  }

  /// Non-blocking: the value if it has been sent, else empty or closed.
  ///   auto r = rx.try_recv();              // result<T, try_recv_error>
  ///   if (!r && r.error().is_empty()) { /* not yet: try later or co_await rx */ }
  result<T, try_recv_error> try_recv() {
    if (!s_) return kyoto::err(try_recv_error{try_recv_error::kind::closed});
    std::uint32_t st = s_->state.load(std::memory_order_acquire);
    if (!(st & s_->tx_done)) return kyoto::err(try_recv_error{try_recv_error::kind::empty});
    auto r = std::move(take(st)).value();
    if (!r) return kyoto::err(try_recv_error{try_recv_error::kind::closed});
    return std::move(*r);
  }

 private:
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel();
  explicit receiver(detail::shared<T>* s) noexcept : s_(s) {}

  poll_result<output_type> take(std::uint32_t st) {
    auto* s = std::exchange(s_, nullptr);
    if (st & s->value_bit) {
      T v = std::move(*s->value);
      s->value.reset();
      s->release();
      return output_type(std::move(v));
    }
    s->release();
    return output_type(kyoto::err(recv_error{}));
  }

  void close_and_release() noexcept {
    if (!s_) return;
    auto* s = std::exchange(s_, nullptr);
    std::uint32_t prev = s->state.fetch_or(s->rx_closed, std::memory_order_acq_rel);
    if (prev & s->value_bit) s->value.reset();  // sent, never received: ours to destroy
    s->release();
  }

  detail::shared<T>* s_;
};

/// A new channel; use structured bindings:
///   auto [tx, rx] = kyoto::oneshot::channel<std::string>();
template <class T>
std::pair<sender<T>, receiver<T>> channel() {
  auto* s = new detail::shared<T>();
  return {sender<T>(s), receiver<T>(s)};
}

}  // namespace kyoto::oneshot
