// try_(r) and try_(f): Rust's `?` for tasks that return a result type.
//
// try_(r) unwraps a result that is already there: its awaiter never
// suspends on a value, and on an error it makes the awaiting task return
// that error from await_suspend (the task completes without resuming).
//
// try_(f) first awaits the future f. When f completes, its output is only
// then known to be an error, and the awaiting coroutine must not resume at
// all; so the awaiter enters a small relay coroutine as the task's child
// (one frame from kyoto's allocator). The relay awaits f like any child
// would (a task by symmetric transfer, another future by polling) and, in
// its final suspend, either hands control back to the task with the value
// or writes the error into the task's promise and completes the task in
// its place. The relay is destroyed with the awaiter.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/core/task.hpp"

namespace kyoto {

namespace detail {
template <class R>
class [[nodiscard]] try_awaiter {
 public:
  using is_kyoto_awaiter = void;
  explicit try_awaiter(R&& r) : r_(std::move(r)) {}

  bool await_ready() const noexcept { return r_.has_value(); }

  // On an error the task returns it at once: its result becomes the error
  // and control goes to its awaiter, exactly as if it had co_returned.
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) {
    h.promise().return_value(kyoto::err(std::move(r_).error()));
    return h.promise().complete();
  }

  decltype(auto) await_resume() {
    if constexpr (!std::is_void_v<typename R::value_type>) return std::move(*r_);
  }

 private:
  R r_;
};

template <class R>
class try_relay_promise;

/// The relay's handle, owned by the try_future_awaiter.
template <class R>
class [[nodiscard]] try_relay {
 public:
  using promise_type = try_relay_promise<R>;
  explicit try_relay(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  try_relay(try_relay&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  try_relay& operator=(try_relay&&) = delete;
  ~try_relay() {
    if (h_) destroy_coroutine(h_);
  }
  std::coroutine_handle<promise_type> get() const noexcept { return h_; }

 private:
  std::coroutine_handle<promise_type> h_;
};

template <class R>
class try_relay_promise : public awaiting_promise {
  static_assert(alignof(R) <= 16, "kyoto::try_: the result type is over-aligned");

 public:
  // Makes the awaiting coroutine (its promise, erased) return the error.
  using fail_fn = std::coroutine_handle<> (*)(void* parent, R& r);

  try_relay<R> get_return_object() noexcept {
    return try_relay<R>(std::coroutine_handle<try_relay_promise>::from_promise(*this));
  }
  void return_value(R&& r) { out_.emplace(std::move(r)); }
  void unhandled_exception() noexcept { set_error(std::current_exception()); }

  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<try_relay_promise> h) noexcept {
      auto& p = h.promise();
      // An exception goes back to the parent like a value (await_resume
      // rethrows it); only an error result returns from the parent.
      if (p.out_ && !p.out_->has_value()) return p.fail_(p.parent_, *p.out_);
      return p.complete();
    }
    void await_resume() const noexcept {}
  };
  final_awaiter final_suspend() noexcept { return {}; }

  void set_parent(void* parent, fail_fn fail) noexcept {
    parent_ = parent;
    fail_ = fail;
  }
  typename R::value_type take_value() {
    if (has_error()) std::rethrow_exception(take_error());
    if constexpr (!std::is_void_v<typename R::value_type>) return std::move(**out_);
  }

 private:
  std::optional<R> out_;
  void* parent_ = nullptr;
  fail_fn fail_ = nullptr;
};

// The relay's body: await f (a reference when try_ got an lvalue), hand
// over its output.
template <class R, class F>
try_relay<R> try_relay_body(F f) {
  co_return co_await f;
}

template <class R>
class [[nodiscard]] try_future_awaiter {
 public:
  using is_kyoto_awaiter = void;
  explicit try_future_awaiter(try_relay<R>&& relay) noexcept : relay_(std::move(relay)) {}

  bool await_ready() const noexcept { return false; }

  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    auto& relay = relay_.get().promise();
    relay.set_parent(&h.promise(), [](void* parent, R& r) -> std::coroutine_handle<> {
      auto& p = *static_cast<P*>(parent);
      p.return_value(kyoto::err(std::move(r).error()));
      return p.complete();
    });
    return h.promise().enter(relay, relay_.get(), h);
  }

  typename R::value_type await_resume() { return relay_.get().promise().take_value(); }

 private:
  try_relay<R> relay_;
};
}  // namespace detail

/// Unwraps a result inside a task returning a result with a compatible
/// error type; on an error, the task returns that error right there.
///   kyoto::task<kyoto::result<int, std::string>> sum(std::string_view a, std::string_view b) {
///     int x = co_await kyoto::try_(parse(a));   // returns parse's error, if any
///     int y = co_await kyoto::try_(parse(b));
///     co_return x + y;
///   }
template <result_like R>
detail::try_awaiter<std::remove_cvref_t<R>> try_(R&& r) {
  return detail::try_awaiter<std::remove_cvref_t<R>>(std::remove_cvref_t<R>(std::forward<R>(r)));
}

/// Awaits a future whose output is a result, then unwraps it as above (one
/// co_await instead of co_await try_(co_await f)):
///   kyoto::task<kyoto::io::result<std::size_t>> size_of(std::string path) {
///     std::string text = co_await kyoto::try_(read_file(path));  // a
///     task<io::result<std::string>> co_return text.size();
///   }
/// A future passed as an lvalue is awaited in place and stays the caller's.
/// Costs one small coroutine frame (the value form costs none).
template <future F>
requires(!result_like<F> && result_like<output_of<F>>)
detail::try_future_awaiter<output_of<F>> try_(F&& f) {
  using R = output_of<F>;
  return detail::try_future_awaiter<R>(detail::try_relay_body<R, F>(std::forward<F>(f)));
}

}  // namespace kyoto
