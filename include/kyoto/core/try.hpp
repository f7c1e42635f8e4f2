// try_(r): Rust's `?` for tasks that return a result type.
#pragma once

#include <coroutine>
#include <type_traits>
#include <utility>

#include "kyoto/core/result.hpp"

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

}  // namespace kyoto
