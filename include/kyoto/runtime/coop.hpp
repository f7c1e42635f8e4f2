// Cooperative scheduling budget (Tokio's coop).
//
// A task that keeps finding its resources ready would never return to its
// scheduler. Each poll of a task on a runtime starts with a budget of 128;
// every resource operation (channel receive, socket read, join handle...)
// that would complete calls coop::poll_proceed first, which spends one unit
// or, once the budget is spent, wakes the task and answers "pending" so that
// the task yields. Outside a runtime the budget is unlimited.
#pragma once

#include "kyoto/config.hpp"
#include "kyoto/core/future.hpp"

namespace kyoto::coop {

inline constexpr int initial_budget = 128;
inline constexpr int unlimited = -1;

namespace detail {
/// The calling thread's budget. poll_proceed is inlined into coroutines,
/// which may resume on another thread: with clang it is reached out of line
/// (KYOTO_DETAIL_OUT_OF_LINE_TLS in config.hpp).
#if KYOTO_DETAIL_OUT_OF_LINE_TLS
int& budget() noexcept;
#else
inline constinit thread_local int current_budget = unlimited;
inline int& budget() noexcept { return current_budget; }
#endif
}  // namespace detail

/// Spends one unit of the current task's budget. False (after waking the
/// task) when the budget is spent: the caller must return pending.
inline bool poll_proceed(context& cx) noexcept {
  int& b = detail::budget();
  if (b == unlimited) return true;
  if (b == 0) {
    cx.waker().wake_by_ref();
    return false;
  }
  --b;
  return true;
}

/// Whether the current task has budget left.
inline bool has_budget_remaining() noexcept { return detail::budget() != 0; }

/// Sets the budget for the duration of a scope; restores the old one.
class budget_scope {
 public:
  explicit budget_scope(int budget) noexcept : slot_(detail::budget()), saved_(slot_) {
    slot_ = budget;
  }
  ~budget_scope() { slot_ = saved_; }
  budget_scope(const budget_scope&) = delete;
  budget_scope& operator=(const budget_scope&) = delete;

 private:
  int& slot_;
  int saved_;
};

}  // namespace kyoto::coop

namespace kyoto {

/// Polls `f` outside the cooperative budget (Tokio's task::unconstrained).
///   co_await kyoto::unconstrained(drain(rx));
template <future F>
class [[nodiscard]] unconstrained_future {
 public:
  using output_type = output_of<F>;
  explicit unconstrained_future(F&& f) : inner_(std::forward<F>(f)) {}

  poll_result<output_type> poll(context& cx) {
    coop::budget_scope scope(coop::unlimited);
    return inner_.poll(cx);
  }

 private:
  F inner_;
};

template <future F>
unconstrained_future<F> unconstrained(F&& f) {
  return unconstrained_future<F>(std::forward<F>(f));
}

/// Spends one unit of budget, yielding first if it is spent (Tokio's
/// task::consume_budget): lets a compute loop cooperate.
///   for (auto& item : items) { process(item); co_await kyoto::consume_budget(); }
class [[nodiscard]] consume_budget {
 public:
  using output_type = void;
  consume_budget() noexcept {}
  poll_result<void> poll(context& cx) noexcept {
    if (!coop::poll_proceed(cx)) return pending;
    return poll_result<void>::ready();
  }
};

}  // namespace kyoto
