// rw_lock<T>: many readers or one writer; FIFO, so writers are not starved.
#pragma once

#include <optional>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/sync/detail/batch_semaphore.hpp"

namespace kyoto {

template <class T>
class rw_lock;

template <class T>
class [[nodiscard]] rw_lock_read_guard {
 public:
  rw_lock_read_guard(rw_lock_read_guard&& o) noexcept : l_(std::exchange(o.l_, nullptr)) {}
  ~rw_lock_read_guard() {
    if (l_) l_->sem_.release(1);
  }
  const T& operator*() const noexcept { return l_->value_; }
  const T* operator->() const noexcept { return &l_->value_; }

 private:
  friend class rw_lock<T>;
  explicit rw_lock_read_guard(rw_lock<T>* l) noexcept : l_(l) {}
  rw_lock<T>* l_;
};

template <class T>
class [[nodiscard]] rw_lock_write_guard {
 public:
  rw_lock_write_guard(rw_lock_write_guard&& o) noexcept : l_(std::exchange(o.l_, nullptr)) {}
  ~rw_lock_write_guard() {
    if (l_) l_->sem_.release(rw_lock<T>::max_readers);
  }
  T& operator*() const noexcept { return l_->value_; }
  T* operator->() const noexcept { return &l_->value_; }

 private:
  friend class rw_lock<T>;
  explicit rw_lock_write_guard(rw_lock<T>* l) noexcept : l_(l) {}
  rw_lock<T>* l_;
};

/// A reader takes one permit of max_readers, a writer takes them all. The
/// permits are handed out in arrival order, so once a writer waits, readers
/// arriving after it wait behind it: writers cannot starve.
///   kyoto::rw_lock<config> cfg;
///   auto r = co_await cfg.read();   auto w = co_await cfg.write();
template <class T>
class rw_lock {
 public:
  static constexpr std::size_t max_readers = std::size_t{1} << 30;

  template <class... Args>
  explicit rw_lock(Args&&... args) : sem_(max_readers), value_(std::forward<Args>(args)...) {}
  rw_lock(const rw_lock&) = delete;
  rw_lock& operator=(const rw_lock&) = delete;

  template <class Guard, std::size_t N>
  class [[nodiscard]] lock_future {
   public:
    using output_type = Guard;
    explicit lock_future(rw_lock& l) noexcept : l_(&l), inner_(l.sem_, N) {}
    poll_result<Guard> poll(context& cx) {
      if (!poll_ready(cx)) return pending;
      return take_output();
    }
    /// Whether the lock is held; then take_output(), once.
    bool poll_ready(context& cx) { return inner_.poll(cx).is_ready(); }
    Guard take_output() noexcept { return Guard(l_); }

   private:
    rw_lock* l_;
    detail::batch_semaphore::acquire_future inner_;
  };

  lock_future<rw_lock_read_guard<T>, 1> read() noexcept {
    return lock_future<rw_lock_read_guard<T>, 1>(*this);
  }
  lock_future<rw_lock_write_guard<T>, max_readers> write() noexcept {
    return lock_future<rw_lock_write_guard<T>, max_readers>(*this);
  }
  std::optional<rw_lock_read_guard<T>> try_read() {
    if (sem_.try_acquire(1) != detail::batch_semaphore::try_result::ok) return std::nullopt;
    return rw_lock_read_guard<T>(this);
  }
  std::optional<rw_lock_write_guard<T>> try_write() {
    if (sem_.try_acquire(max_readers) != detail::batch_semaphore::try_result::ok) {
      return std::nullopt;
    }
    return rw_lock_write_guard<T>(this);
  }

 private:
  friend class rw_lock_read_guard<T>;
  friend class rw_lock_write_guard<T>;
  detail::batch_semaphore sem_;
  T value_;
};

}  // namespace kyoto
