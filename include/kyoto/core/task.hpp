// task<T>: kyoto's coroutine type. Lazy, a future, awaitable from a task.
#pragma once

#include <cassert>
#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/detail/task/promise.hpp"

namespace kyoto {

template <class T = void>
class task;

namespace detail {

template <class T>
struct spawned_task;

template <class T>
struct is_task : std::false_type {};
template <class T>
struct is_task<task<T>> : std::true_type {};

/// co_await of a task inside a kyoto coroutine: start it by symmetric
/// transfer, come back when it completes, hand over its result.
template <class T>
class [[nodiscard]] task_awaiter {
 public:
  using is_kyoto_awaiter = void;
  explicit task_awaiter(std::coroutine_handle<typename task<T>::promise_type> h) noexcept
      : child_(h) {}

  bool await_ready() const noexcept { return false; }
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> self) noexcept {
    return self.promise().enter(child_.promise(), child_, self);
  }
  T await_resume() { return child_.promise().take_result(); }

 private:
  std::coroutine_handle<typename task<T>::promise_type> child_;
};

/// await_transform shared by kyoto's promises: tasks by symmetric transfer,
/// futures by polling, kyoto's own awaiters as they are.
class awaiting_promise : public promise_base {
 public:
  template <class A>
  decltype(auto) await_transform(A&& a) {
    using plain = std::remove_cvref_t<A>;
    if constexpr (kyoto_awaiter<plain>) {
      return std::forward<A>(a);
    } else if constexpr (is_task<plain>::value) {
      assert(a.handle_ && "co_await on a moved-from task");
      return task_awaiter<typename plain::output_type>(a.handle_);
    } else if constexpr (split_output_future<std::remove_reference_t<A>>) {
      return ready_awaiter<std::remove_reference_t<A>>(a);
    } else if constexpr (future<A>) {
      return future_awaiter<std::remove_reference_t<A>>(a);
    } else {
      static_assert(always_false<A>,
                    "kyoto: co_await inside a kyoto coroutine takes a kyoto::future "
                    "(a task, or a type with output_type and poll(context&))");
    }
  }
};

template <class T>
class task_promise : public awaiting_promise {
  // Frames come from kyoto's allocator with 16-byte alignment (C++20 never
  // passes a frame's alignment to a promise's operator new).
  static_assert(alignof(T) <= 16,
                "kyoto::task<T>: T is over-aligned; return it in a std::unique_ptr");

 public:
  task<T> get_return_object() noexcept;
  final_awaiter final_suspend() noexcept { return {}; }

  template <class U = T>
  requires std::is_constructible_v<T, U&&>
  void return_value(U&& v) {
    value_.emplace(std::forward<U>(v));
  }
  void unhandled_exception() noexcept { set_error(std::current_exception()); }

  T take_result() {
    if (has_error()) std::rethrow_exception(take_error());
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class task_promise<void> : public awaiting_promise {
 public:
  task<void> get_return_object() noexcept;
  final_awaiter final_suspend() noexcept { return {}; }

  void return_void() noexcept {}
  void unhandled_exception() noexcept { set_error(std::current_exception()); }

  void take_result() {
    if (has_error()) std::rethrow_exception(take_error());
  }
};

}  // namespace detail

/// The coroutine type:
///   kyoto::task<int> answer() { co_return 42; }
///   kyoto::task<> run() { int v = co_await answer(); ... }
/// Nothing runs until the task is awaited, polled, spawned or blocked on.
/// Destroying a task cancels it: its frame, and every child it awaits, is
/// destroyed with their locals in reverse order.
/// Frames are 16-byte aligned: locals and outputs declared alignas(32) or
/// more are not supported (keep them behind a pointer).
template <class T>
class [[nodiscard]] task {
 public:
  using output_type = T;
  using promise_type = detail::task_promise<T>;

  task() noexcept = default;
  task(task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  task& operator=(task&& other) noexcept {
    if (this != &other) {
      if (handle_) detail::destroy_coroutine(handle_);
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ~task() {
    if (handle_) detail::destroy_coroutine(handle_);
  }

  /// Drives the task as a root (see promise_base). Throws what the task threw.
  poll_result<T> poll(context& cx) {
    assert(handle_ && "poll on a moved-from task");
    assert(!handle_.promise().done() && "poll on a finished task");
    if (!handle_.promise().poll_root(cx)) return pending;
    if constexpr (std::is_void_v<T>) {
      handle_.promise().take_result();
      return poll_result<void>::ready();
    } else {
      return poll_result<T>(handle_.promise().take_result());
    }
  }

  bool valid() const noexcept { return static_cast<bool>(handle_); }
  /// True once the body has returned (or thrown).
  bool is_ready() const noexcept { return handle_ && handle_.promise().done(); }

 private:
  friend class detail::task_promise<T>;
  friend class detail::awaiting_promise;
  friend struct detail::spawned_task<T>;
  explicit task(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {
    h.promise().prime(h);
  }
  std::coroutine_handle<promise_type> handle_;
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
  return task<T>(std::coroutine_handle<task_promise>::from_promise(*this));
}
inline task<void> task_promise<void>::get_return_object() noexcept {
  return task<void>(std::coroutine_handle<task_promise>::from_promise(*this));
}
}  // namespace detail

}  // namespace kyoto
