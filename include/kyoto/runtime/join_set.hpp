// join_set<T>: a set of spawned tasks, joined in completion order.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/runtime/spawn.hpp"

namespace kyoto {

/// Spawns tasks and awaits them in the order they finish:
///   kyoto::join_set<int> set;
///   for (auto& url : urls) set.spawn(fetch(url));
///   while (auto r = co_await set.join_next()) total += r->value();
/// Destroying the set aborts every task still in it.
template <class T>
class join_set {
  // Each task's future is wrapped; when the wrapper is destroyed (the task
  // completed, threw or was cancelled) it records its id here and wakes
  // whoever waits in join_next.
  struct shared {
    kyoto::detail::mutex lock;
    std::deque<std::uint64_t> done;  // guarded by lock
    waker waiter;                    // guarded by lock
  };

  template <class F>
  class tracked {
   public:
    using output_type = output_of<F>;
    tracked(F&& f, std::shared_ptr<shared> s, std::uint64_t id)
        : inner_(std::move(f)), shared_(std::move(s)), id_(id) {}
    tracked(tracked&& o) noexcept
        : inner_(std::move(o.inner_)), shared_(std::move(o.shared_)), id_(o.id_) {}
    ~tracked() {
      if (!shared_) return;
      waker w;
      {
        kyoto::detail::lock_guard lock(shared_->lock);
        shared_->done.push_back(id_);
        w = std::move(shared_->waiter);
      }
      w.wake();
    }
    poll_result<output_type> poll(context& cx) { return inner_.poll(cx); }

   private:
    F inner_;
    std::shared_ptr<shared> shared_;
    std::uint64_t id_;
  };

 public:
  join_set() : shared_(std::make_shared<shared>()) {}
  join_set(const join_set&) = delete;
  join_set& operator=(const join_set&) = delete;
  join_set(join_set&&) noexcept = default;
  join_set& operator=(join_set&&) noexcept = default;
  ~join_set() { abort_all(); }

  /// Spawns on the current runtime (see kyoto::spawn).
  template <future F>
  requires std::is_same_v<output_of<F>, T>
  void spawn(F&& f) {
    std::uint64_t id = next_id_++;
    using plain = std::remove_cvref_t<F>;
    handles_.emplace(id, kyoto::spawn(tracked<plain>(plain(std::forward<F>(f)), shared_, id)));
  }
  /// Spawns fn(args...), keeping fn and the arguments alive until it
  /// finishes (see kyoto::spawn(fn, args...)).
  template <class Fn, class... Args>
  requires(!future<Fn> && detail::future_factory<Fn, Args...> &&
           std::is_same_v<detail::factory_output<std::decay_t<Fn>, std::decay_t<Args>...>, T>)
  void spawn(Fn&& fn, Args&&... args) {
    spawn(detail::make_call_owned(std::forward<Fn>(fn), std::forward<Args>(args)...));
  }

  /// Waits for the next task to finish; nullopt when the set is empty.
  /// Cancel safe: dropping a pending join_next loses no result.
  class [[nodiscard]] join_next_future {
   public:
    using output_type = std::optional<result<T, join_error>>;
    explicit join_next_future(join_set& s) noexcept : set_(&s) {}
    poll_result<output_type> poll(context& cx) { return set_->poll_join_next(cx); }

   private:
    join_set* set_;
  };
  join_next_future join_next() { return join_next_future(*this); }

  /// A task that has already finished, without waiting (Tokio's
  /// try_join_next): std::nullopt when none has (or the set is empty). A
  /// server calls it as it accepts, so that finished connections do not
  /// pile up in the set. It leaves a pending join_next's wake-up alone.
  std::optional<result<T, join_error>> try_join_next() {
    waker none;
    context cx(none);
    auto r = poll_join_next(cx, false);
    if (r.is_pending()) return std::nullopt;
    return std::move(r).value();
  }

  /// Aborts every task; they stay in the set until joined (as cancelled).
  void abort_all() noexcept {
    for (auto& [id, h] : handles_) h.abort();
  }
  std::size_t size() const noexcept { return handles_.size(); }
  bool empty() const noexcept { return handles_.empty(); }

 private:
  // The next finished task's result; std::nullopt once the set is empty.
  // With `wait` false (try_join_next) nothing is registered, and pending
  // also means "none has finished", even when the set is empty.
  poll_result<std::optional<result<T, join_error>>> poll_join_next(context& cx, bool wait = true) {
    for (;;) {
      std::optional<std::uint64_t> id;
      {
        kyoto::detail::lock_guard lock(shared_->lock);
        if (!shared_->done.empty()) {
          id = shared_->done.front();
        } else {
          if (!wait) return pending;
          if (handles_.empty()) return std::optional<result<T, join_error>>();
          if (!shared_->waiter.will_wake(cx.waker())) shared_->waiter = cx.waker();
          return pending;
        }
      }
      auto it = handles_.find(*id);
      if (it == handles_.end()) {  // already gone
        kyoto::detail::lock_guard lock(shared_->lock);
        shared_->done.pop_front();
        continue;
      }
      auto r = it->second.poll(cx);
      if (r.is_pending()) return pending;  // completing right now; its handle wakes us
      handles_.erase(it);
      {
        kyoto::detail::lock_guard lock(shared_->lock);
        shared_->done.pop_front();
      }
      return std::optional<result<T, join_error>>(std::move(r).value());
    }
  }

  std::shared_ptr<shared> shared_;
  std::unordered_map<std::uint64_t, join_handle<T>> handles_;
  std::uint64_t next_id_ = 0;
};

}  // namespace kyoto
