// watch: a single value that many receivers observe (the latest one).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/sync/notify.hpp"

namespace kyoto::watch {

/// The sender is gone (changed() can never complete) / no receiver is left.
struct recv_error {};
template <class T>
struct send_error {
  T value;
};

template <class T>
class sender;
template <class T>
class receiver;

namespace detail {
template <class T>
struct shared {
  explicit shared(T v) : value(std::move(v)) {}
  mutable kyoto::detail::shared_mutex lock;
  T value;                                          // guarded by lock
  kyoto::detail::atomic<std::uint64_t> version{0};  // bumped under lock
  kyoto::detail::atomic<bool> sender_alive{true};
  kyoto::detail::atomic<std::size_t> receivers{1};
  notify changed;
};
}  // namespace detail

/// Read access to the current value; holds a read lock while alive.
template <class T>
class [[nodiscard]] ref {
 public:
  const T& operator*() const noexcept { return *value_; }
  const T* operator->() const noexcept { return value_; }

 private:
  template <class>
  friend class receiver;
  template <class>
  friend class sender;
  explicit ref(const detail::shared<T>& s) : lock_(s.lock), value_(&s.value) {}
  kyoto::detail::shared_lock<kyoto::detail::shared_mutex> lock_;
  const T* value_;
};

/// Publishes new values; receivers see the latest (intermediate values may
/// be skipped: they coalesce).
///   auto [tx, rx] = kyoto::watch::channel<config>(initial);
///   tx.send(new_config);           // rx: co_await rx.changed(); auto c = rx.borrow();
template <class T>
class sender {
 public:
  sender(sender&&) noexcept = default;
  ~sender() {
    if (s_) {
      s_->sender_alive.store(false, std::memory_order_release);
      s_->changed.notify_waiters();
    }
  }
  /// Stores v and wakes the receivers; gives v back if none is left.
  result<void, send_error<T>> send(T v) {
    if (s_->receivers.load(std::memory_order_acquire) == 0) {
      return kyoto::err(send_error<T>{std::move(v)});
    }
    {
      kyoto::detail::unique_lock lock(s_->lock);
      s_->value = std::move(v);
      s_->version.fetch_add(1, std::memory_order_release);
    }
    s_->changed.notify_waiters();
    return {};
  }
  ref<T> borrow() const { return ref<T>(*s_); }
  receiver<T> subscribe() const;
  std::size_t receiver_count() const noexcept { return s_->receivers.load(); }

 private:
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel(U);
  explicit sender(std::shared_ptr<detail::shared<T>> s) : s_(std::move(s)) {}
  std::shared_ptr<detail::shared<T>> s_;
};

/// Observes the value; copies are independent receivers.
template <class T>
class receiver {
 public:
  receiver(const receiver& o) : s_(o.s_), seen_(o.seen_) { s_->receivers.fetch_add(1); }
  receiver(receiver&& o) noexcept : s_(std::move(o.s_)), seen_(o.seen_) {}
  ~receiver() {
    if (s_) s_->receivers.fetch_sub(1);
  }

  /// The latest value (does not mark it seen).
  ref<T> borrow() const { return ref<T>(*s_); }
  /// The latest value, marked seen.
  ref<T> borrow_and_update() {
    ref<T> r(*s_);
    seen_ = s_->version.load(std::memory_order_acquire);
    return r;
  }
  bool has_changed() const noexcept { return s_->version.load(std::memory_order_acquire) != seen_; }

  /// Completes when a value newer than the last seen one is sent (marking
  /// it seen), or with recv_error once the sender is gone.
  /// Cancel safe.
  class [[nodiscard]] changed_future {
   public:
    using output_type = result<void, recv_error>;
    explicit changed_future(receiver& r) : r_(&r) { wait_.emplace(r.s_->changed.notified()); }
    changed_future(changed_future&& o) noexcept : r_(o.r_) { wait_.emplace(std::move(*o.wait_)); }
    poll_result<output_type> poll(context& cx) {
      auto& s = *r_->s_;
      for (;;) {
        std::uint64_t v = s.version.load(std::memory_order_acquire);
        if (v != r_->seen_) {
          r_->seen_ = v;
          return output_type();
        }
        if (!s.sender_alive.load(std::memory_order_acquire)) {
          return output_type(kyoto::err(recv_error{}));
        }
        if (wait_->poll(cx).is_pending()) return pending;
        wait_.emplace(s.changed.notified());  // spent: arm a fresh one and look again
      }
    }

   private:
    receiver* r_;
    std::optional<notify::notified_future> wait_;
  };
  changed_future changed() { return changed_future(*this); }

 private:
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel(U);
  friend class sender<T>;
  receiver(std::shared_ptr<detail::shared<T>> s, std::uint64_t seen)
      : s_(std::move(s)), seen_(seen) {}
  std::shared_ptr<detail::shared<T>> s_;
  std::uint64_t seen_;
};

template <class T>
receiver<T> sender<T>::subscribe() const {
  s_->receivers.fetch_add(1);
  return receiver<T>(s_, s_->version.load(std::memory_order_acquire));
}

template <class T>
std::pair<sender<T>, receiver<T>> channel(T initial) {
  auto s = std::make_shared<detail::shared<T>>(std::move(initial));
  return {sender<T>(s), receiver<T>(s, 0)};
}

}  // namespace kyoto::watch
