// mutex<T>: an async, FIFO-fair mutex that owns the data it protects.
#pragma once

#include <optional>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/sync/detail/batch_semaphore.hpp"

namespace kyoto {

template <class T>
class mutex;

/// Access to the data; unlocks when destroyed.
template <class T>
class [[nodiscard]] mutex_guard {
 public:
  mutex_guard(mutex_guard&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
  mutex_guard& operator=(mutex_guard&&) = delete;
  ~mutex_guard() {
    if (m_) m_->sem_.release(1);
  }
  T& operator*() const noexcept { return m_->value_; }
  T* operator->() const noexcept { return &m_->value_; }

 private:
  friend class mutex<T>;
  explicit mutex_guard(mutex<T>* m) noexcept : m_(m) {}
  mutex<T>* m_;
};

/// Locking waits without blocking the thread; waiters get the lock in
/// arrival order. Hold the guard across co_await freely.
///   kyoto::mutex<std::vector<int>> shared;
///   { auto g = co_await shared.lock(); g->push_back(1); }
/// Cancel safety: dropping a pending lock() leaves the queue without
/// losing the lock for the next waiter.
template <class T>
class mutex {
 public:
  template <class... Args>
  explicit mutex(Args&&... args) : sem_(1), value_(std::forward<Args>(args)...) {}
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;

  class [[nodiscard]] lock_future {
   public:
    using output_type = mutex_guard<T>;
    explicit lock_future(mutex& m) noexcept : m_(&m), inner_(m.sem_, 1) {}
    poll_result<mutex_guard<T>> poll(context& cx) {
      if (!poll_ready(cx)) return pending;
      return take_output();
    }
    /// Whether the lock is held; then take_output(), once (co_await keeps
    /// no output slot beside this future: detail::split_output_future).
    bool poll_ready(context& cx) { return inner_.poll(cx).is_ready(); }
    mutex_guard<T> take_output() noexcept { return mutex_guard<T>(m_); }

   private:
    mutex* m_;
    detail::batch_semaphore::acquire_future inner_;
  };

  lock_future lock() noexcept { return lock_future(*this); }
  std::optional<mutex_guard<T>> try_lock() {
    if (sem_.try_acquire(1) != detail::batch_semaphore::try_result::ok) return std::nullopt;
    return mutex_guard<T>(this);
  }
  /// Direct access when no one else can hold the lock (e.g. after join).
  T& get_mut() noexcept { return value_; }

 private:
  friend class mutex_guard<T>;
  detail::batch_semaphore sem_;
  T value_;
};

}  // namespace kyoto
