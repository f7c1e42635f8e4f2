// semaphore: a fair counting semaphore with RAII permits.
#pragma once

#include <cstddef>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/sync/detail/batch_semaphore.hpp"

namespace kyoto {

/// The semaphore was closed.
struct acquire_error {};
/// try_acquire failed: closed, or not enough permits right now.
enum class try_acquire_error { closed, no_permits };

class semaphore;

/// Holds permits; gives them back when destroyed (unless forgotten).
class [[nodiscard]] semaphore_permit {
 public:
  semaphore_permit() noexcept = default;
  semaphore_permit(semaphore_permit&& o) noexcept
      : sem_(std::exchange(o.sem_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  semaphore_permit& operator=(semaphore_permit&& o) noexcept {
    if (this != &o) {
      release();
      sem_ = std::exchange(o.sem_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  ~semaphore_permit() { release(); }

  std::size_t num_permits() const noexcept { return n_; }
  /// Keeps the permits taken for good (they are not returned).
  void forget() noexcept {
    sem_ = nullptr;
    n_ = 0;
  }

 private:
  friend class semaphore;
  semaphore_permit(detail::batch_semaphore* s, std::size_t n) noexcept : sem_(s), n_(n) {}
  void release() noexcept {
    if (sem_ && n_) sem_->release(n_);
    sem_ = nullptr;
    n_ = 0;
  }
  detail::batch_semaphore* sem_ = nullptr;
  std::size_t n_ = 0;
};

/// FIFO-fair: waiters get permits in arrival order, so a large
/// acquire_many is not starved by a stream of small acquires.
///   kyoto::semaphore limit{10};
///   auto permit = co_await limit.acquire();   // result<semaphore_permit, acquire_error>
///   if (!permit) co_return;                   // closed
/// Cancel safety: dropping a pending acquire gives back any permits it had
/// been assigned and keeps its place for nobody (FIFO order is kept).
class semaphore {
 public:
  explicit semaphore(std::size_t permits) : sem_(permits) {}
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;

  /// 64 bytes; co_await keeps only a pointer beside it, no output slot
  /// (poll_ready / take_output: detail::split_output_future).
  class [[nodiscard]] acquire_future {
   public:
    using output_type = result<semaphore_permit, acquire_error>;
    acquire_future(detail::batch_semaphore& s, std::size_t n) : inner_(s, n) {}
    poll_result<output_type> poll(context& cx) {
      if (!poll_ready(cx)) return pending;
      return take_output();
    }
    /// Whether it is ready; then take_output(), once.
    bool poll_ready(context& cx) { return inner_.poll(cx).is_ready(); }
    output_type take_output() {
      if (!inner_.acquired()) return output_type(kyoto::err(acquire_error{}));
      return output_type(semaphore_permit(inner_.semaphore(), inner_.held()));
    }

   private:
    detail::batch_semaphore::acquire_future inner_;
  };

  acquire_future acquire() { return acquire_future(sem_, 1); }
  acquire_future acquire_many(std::size_t n) { return acquire_future(sem_, n); }

  result<semaphore_permit, try_acquire_error> try_acquire() { return try_acquire_many(1); }
  result<semaphore_permit, try_acquire_error> try_acquire_many(std::size_t n) {
    switch (sem_.try_acquire(n)) {
      case detail::batch_semaphore::try_result::ok:
        return semaphore_permit(&sem_, n);
      case detail::batch_semaphore::try_result::closed:
        return kyoto::err(try_acquire_error::closed);
      case detail::batch_semaphore::try_result::no_permits:
        break;
    }
    return kyoto::err(try_acquire_error::no_permits);
  }

  void add_permits(std::size_t n) { sem_.release(n); }
  /// Fails every pending and future acquire; held permits stay valid.
  void close() { sem_.close(); }
  bool is_closed() const noexcept { return sem_.is_closed(); }
  std::size_t available_permits() const noexcept { return sem_.available_permits(); }

 private:
  detail::batch_semaphore sem_;
};

}  // namespace kyoto
