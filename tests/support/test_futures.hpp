// Futures and wakers that tests use to observe the poll/wake protocol.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "kyoto/core.hpp"

namespace kyoto::test {

/// A waker whose vtable calls are counted; clones share the counters.
struct counting_waker_state {
  std::atomic<int> clones{0};
  std::atomic<int> wakes{0};
  std::atomic<int> wakes_by_ref{0};
  std::atomic<int> drops{0};
  int live() const { return 1 + clones.load() - drops.load() - wakes.load(); }
};

inline raw_waker counting_clone(const void* d);
inline void counting_wake(const void* d) {
  ++static_cast<counting_waker_state*>(const_cast<void*>(d))->wakes;
}
inline void counting_wake_by_ref(const void* d) {
  ++static_cast<counting_waker_state*>(const_cast<void*>(d))->wakes_by_ref;
}
inline void counting_drop(const void* d) {
  ++static_cast<counting_waker_state*>(const_cast<void*>(d))->drops;
}
inline constexpr waker_vtable counting_vtable{&counting_clone, &counting_wake,
                                              &counting_wake_by_ref, &counting_drop};
inline raw_waker counting_clone(const void* d) {
  ++static_cast<counting_waker_state*>(const_cast<void*>(d))->clones;
  return raw_waker{d, &counting_vtable};
}
/// The returned waker holds the initial reference (counted in live()).
inline waker make_counting_waker(counting_waker_state& s) {
  return waker::from_raw(raw_waker{&s, &counting_vtable});
}

/// Shared state of a manually completed future: a test completes it (from
/// any thread) with set(); the future counts its polls.
struct manual_state {
  std::atomic<bool> ready{false};
  std::atomic<int> polls{0};
  std::mutex m;
  waker w;

  void set() {
    waker to_wake;
    {
      std::lock_guard lock(m);
      ready.store(true);
      to_wake = std::move(w);
    }
    to_wake.wake();
  }
};

/// Pending until its state is set; stores a clone of the waker each poll.
class manual_future {
 public:
  using output_type = int;
  explicit manual_future(std::shared_ptr<manual_state> s, int value = 0)
      : s_(std::move(s)), value_(value) {}

  poll_result<int> poll(context& cx) {
    ++s_->polls;
    std::lock_guard lock(s_->m);
    if (s_->ready.load()) return value_;
    if (!s_->w.will_wake(cx.waker())) s_->w = cx.waker();
    return pending;
  }

 private:
  std::shared_ptr<manual_state> s_;
  int value_;
};

/// Ready at once with a value.
template <class T>
class ready_future {
 public:
  using output_type = T;
  explicit ready_future(T v) : v_(std::move(v)) {}
  poll_result<T> poll(context&) { return std::move(v_); }

 private:
  T v_;
};

/// Counts constructions and destructions to observe cancellation.
struct drop_counter {
  std::atomic<int>* drops;
  explicit drop_counter(std::atomic<int>& d) : drops(&d) {}
  drop_counter(const drop_counter&) = delete;
  ~drop_counter() { ++*drops; }
};

/// Movable: counts one destruction of the last owner (moved-from tokens
/// count nothing). Pass it as a coroutine parameter to observe that a task's
/// frame was destroyed even if its body never ran.
struct drop_token {
  std::atomic<int>* drops;
  explicit drop_token(std::atomic<int>& d) : drops(&d) {}
  drop_token(drop_token&& o) noexcept : drops(std::exchange(o.drops, nullptr)) {}
  drop_token& operator=(drop_token&&) = delete;
  ~drop_token() {
    if (drops) ++*drops;
  }
};

/// Waits on `s` forever (unless set), holding `token`.
inline task<void> hold_until(drop_token token, std::shared_ptr<manual_state> s) {
  co_await manual_future(s);
  (void)token;
}

}  // namespace kyoto::test
