// async_generator<T>: a coroutine that co_yields items and may co_await.
#pragma once

#include <cassert>
#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "kyoto/core/task.hpp"
#include "kyoto/stream/stream.hpp"

namespace kyoto {

template <class T>
class async_generator;

namespace detail {

template <class T>
class generator_promise : public awaiting_promise {
 public:
  async_generator<T> get_return_object() noexcept;
  final_awaiter final_suspend() noexcept { return {}; }
  void return_void() noexcept {}
  void unhandled_exception() noexcept { set_error(std::current_exception()); }

  // co_yield v: store the item, suspend, hand control back to poll_next.
  struct yield_awaiter {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<generator_promise> h) noexcept {
      h.promise().yield_to_poller(h);
    }
    void await_resume() const noexcept {}
  };
  template <class U>
  requires std::is_constructible_v<T, U&&>
  yield_awaiter yield_value(U&& v) {
    item_.emplace(std::forward<U>(v));
    return {};
  }

  std::optional<T> take_item() noexcept(std::is_nothrow_move_constructible_v<T>) {
    std::optional<T> out(std::move(item_));
    item_.reset();
    return out;
  }
  void rethrow_if_failed() {
    if (has_error()) std::rethrow_exception(take_error());
  }

 private:
  std::optional<T> item_;
};

}  // namespace detail

/// A lazy stream written as a coroutine:
///   kyoto::async_generator<int> ticks(int n) {
///     for (int i = 0; i < n; ++i) { co_await kyoto::sleep(10ms); co_yield i; }
///   }
///   auto g = ticks(3);
///   while (auto v = co_await kyoto::next(g)) ...
/// Nothing runs before the first poll_next. An exception in the body comes
/// out of the poll_next (next()) that was running it; the stream then ends.
/// Destroying the generator mid-stream destroys its frame (cancels it).
template <class T>
class [[nodiscard]] async_generator {
 public:
  using item_type = T;
  using promise_type = detail::generator_promise<T>;

  async_generator(async_generator&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  async_generator& operator=(async_generator&& o) noexcept {
    if (this != &o) {
      if (h_) detail::destroy_coroutine(h_);
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  ~async_generator() {
    if (h_) detail::destroy_coroutine(h_);
  }

  poll_result<std::optional<T>> poll_next(context& cx) {
    if (!h_ || h_.promise().done()) return std::optional<T>();
    auto& p = h_.promise();
    bool done = p.poll_root(cx);
    if (p.yielded()) return p.take_item();
    if (done) {
      p.rethrow_if_failed();
      return std::optional<T>();
    }
    return pending;
  }

 private:
  friend class detail::generator_promise<T>;
  explicit async_generator(std::coroutine_handle<promise_type> h) noexcept : h_(h) {
    h.promise().prime(h);
  }
  std::coroutine_handle<promise_type> h_;
};

namespace detail {
template <class T>
async_generator<T> generator_promise<T>::get_return_object() noexcept {
  return async_generator<T>(std::coroutine_handle<generator_promise>::from_promise(*this));
}
}  // namespace detail

}  // namespace kyoto
