// kyoto::scope: structured fork-join. The body spawns children through
// the handle it is given; the scope finishes only after every child has,
// so children may borrow from the caller's frame and from the body's
// captures (the closure lives in the scope until the end), though not from
// the body's locals, which end at its co_return while children may run on:
//   std::vector<int> parts(n);
//   co_await kyoto::scope([&](kyoto::scope_handle& s) -> kyoto::task<> {
//     for (std::size_t i = 0; i < n; ++i) s.spawn(sum_into(chunk(i), parts[i]));
//     co_return;
//   });
//   // every child has finished: parts is complete
// Children are ordinary spawned tasks (they run in parallel on a
// multi-thread runtime) whose output is void: results go into variables
// the caller owns. Failure: an exception from the body or a child is kept
// (the first one), every other child is cancelled at once, and once all of
// them have finished the scope's awaiter gets the exception.
// Cancellation: dropping a pending scope (abort of the task that awaits
// it, a timeout, a select that it loses) cancels every child before the
// scope's destructor returns: a child that is idle or queued is cancelled
// on the spot, one that another worker is polling is cancelled when that
// poll ends, and the destructor waits for that.
//
// Protocol (scope_state): children, error and stopping are guarded by
// lock. A child is added only under lock and only while stopping is false;
// the awaiting task sets stopping (failure, or its destructor) under lock,
// so the children it cancels or joins after that are all there are. The
// deque keeps elements in place, so the awaiting task may use a child's
// join handle outside the lock while the body or a child adds another.
#pragma once

#include <cassert>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/runtime/spawn.hpp"

namespace kyoto {

namespace detail {

struct scope_state {
  mutex lock;
  std::deque<join_handle<void>> children;  // guarded by lock
  std::exception_ptr error;                // guarded by lock: the first failure
  bool stopping = false;                   // guarded by lock: no new child

  void fail(std::exception_ptr e) {
    lock_guard guard(lock);
    if (!error) error = std::move(e);
    stopping = true;
    for (auto& c : children) c.abort();
  }
};

/// A child as it is spawned: an exception from its poll is the scope's
/// failure (recorded, siblings cancelled, at once), and the child ends.
template <class F>
class scope_child {
 public:
  using output_type = void;
  scope_child(F f, scope_state* s) : f_(std::move(f)), state_(s) {}
  poll_result<void> poll(context& cx) {
    try {
      if (f_.poll(cx).is_pending()) return pending;
    } catch (...) {
      state_->fail(std::current_exception());
    }
    return poll_result<void>::ready();
  }

 private:
  F f_;
  scope_state* state_;
};

}  // namespace detail

/// What a scope's body spawns its children with. The body may hand it to
/// children (by reference) so that they spawn siblings.
class scope_handle {
 public:
  scope_handle(const scope_handle&) = delete;
  scope_handle& operator=(const scope_handle&) = delete;

  /// Spawns `f` (its output must be void) on the current runtime as a child
  /// of the scope. After a failure, or once the scope is being dropped, f
  /// is not spawned (it is destroyed unpolled).
  template <future F>
  void spawn(F&& f) {
    static_assert(std::is_void_v<output_of<F>>,
                  "kyoto::scope: a child's output must be void; write results into variables "
                  "that the scope's caller owns (the scope outlives its children)");
    detail::lock_guard guard(state_->lock);
    if (state_->stopping) return;
    state_->children.push_back(
        kyoto::spawn(detail::scope_child<std::remove_cvref_t<F>>(std::forward<F>(f), state_)));
  }
  /// Spawns fn(args...), keeping fn and the arguments alive in the child
  /// (see kyoto::spawn(fn, args...)): the way to spawn a coroutine lambda
  /// with captures, e.g. s.spawn([&] -> kyoto::task<> { a = co_await f(); }).
  template <class Fn, class... Args>
  requires(!future<Fn> && detail::future_factory<Fn, Args...>)
  void spawn(Fn&& fn, Args&&... args) {
    spawn(detail::make_call_owned(std::forward<Fn>(fn), std::forward<Args>(args)...));
  }

  /// Children spawned so far.
  std::size_t size() const {
    detail::lock_guard guard(state_->lock);
    return state_->children.size();
  }

 private:
  template <class>
  friend class scope_future;
  explicit scope_handle(detail::scope_state* s) noexcept : state_(s) {}
  detail::scope_state* state_;
};

/// The future kyoto::scope returns; its output is the body's.
template <class Body>
class [[nodiscard]] scope_future {
  using body_future = std::invoke_result_t<Body&, scope_handle&>;
  static_assert(future<body_future>, "kyoto::scope: the body must return a future (a task)");

 public:
  using output_type = output_of<body_future>;

  explicit scope_future(Body body) : body_(std::move(body)) {}
  /// Only a scope that was never polled moves (a future moves into a task
  /// before it runs).
  scope_future(scope_future&& o) noexcept(std::is_nothrow_move_constructible_v<Body>)
      : body_(std::move(o.body_)) {
    assert(!o.state_ && "a polled kyoto::scope cannot move");
  }
  scope_future& operator=(scope_future&&) = delete;
  ~scope_future() {
    stop_children();
    running_.reset();  // the body's frame goes after every child
  }

  poll_result<output_type> poll(context& cx) {
    if (!state_) {
      shared_ = std::make_unique<shared>();
      state_ = &shared_->state;
      running_.emplace(std::invoke(body_, shared_->handle));
    }
    if (!body_done_) {
      try {
        if constexpr (std::is_void_v<output_type>) {
          if (running_->poll(cx).is_pending()) return pending;
        } else {
          auto r = running_->poll(cx);
          if (r.is_pending()) return pending;
          out_.emplace(std::move(r).value());
        }
      } catch (...) {
        state_->fail(std::current_exception());
      }
      body_done_ = true;
    }
    for (;;) {
      join_handle<void>* child;
      {
        detail::lock_guard guard(state_->lock);
        if (joined_ == state_->children.size()) break;
        child = &state_->children[joined_];
      }
      // A child's exception was recorded by its scope_child; a child
      // cancelled (by a failure, or the runtime's shutdown) ends like this.
      if (child->poll(cx).is_pending()) return pending;
      ++joined_;
    }
    // Every child has finished (none can be added: only the body and the
    // children spawn, and all of them are done).
    running_.reset();
    std::exception_ptr e;
    {
      detail::lock_guard guard(state_->lock);
      state_->stopping = true;
      e = state_->error;
    }
    if (e) std::rethrow_exception(e);
    if constexpr (std::is_void_v<output_type>) {
      return poll_result<void>::ready();
    } else {
      return poll_result<output_type>(std::move(*out_));
    }
  }

 private:
  // Cancels every child that has not been joined, before anything a child
  // may borrow (the body's frame, the caller's frame) goes.
  void stop_children() noexcept {
    if (!state_) return;
    std::size_t n;
    {
      detail::lock_guard guard(state_->lock);
      state_->stopping = true;
      n = state_->children.size();
    }
    for (std::size_t i = joined_; i < n; ++i) state_->children[i].cancel_and_wait_for_scope();
  }

  using stored_output = std::conditional_t<std::is_void_v<output_type>, char, output_type>;

  // The state and the handle the body gets, in one allocation.
  struct shared {
    detail::scope_state state;
    scope_handle handle{&state};
  };

  Body body_;
  std::unique_ptr<shared> shared_;        // from the first poll on
  detail::scope_state* state_ = nullptr;  // &shared_->state
  std::optional<body_future> running_;
  std::optional<stored_output> out_;
  std::size_t joined_ = 0;
  bool body_done_ = false;
};

/// Runs `body(handle)` (a callable returning a task) and finishes once it
/// and every child it spawned through the handle have finished:
///   co_await kyoto::scope([&](kyoto::scope_handle& s) -> kyoto::task<> {
///     s.spawn(left(tree, a));
///     s.spawn(right(tree, b));
///     co_return;
///   });
/// The body is kept alive in the scope, so its captures stay valid while
/// children run (its locals do not: they end when it returns). See the top of this header for
/// failure and cancellation.
template <class Body>
scope_future<std::decay_t<Body>> scope(Body&& body) {
  return scope_future<std::decay_t<Body>>(std::forward<Body>(body));
}

}  // namespace kyoto
