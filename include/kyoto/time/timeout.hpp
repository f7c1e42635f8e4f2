// timeout(dur, f): f's output, or kyoto::elapsed if the deadline passes first.
#pragma once

#include <chrono>
#include <optional>
#include <type_traits>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/time/sleep.hpp"

namespace kyoto {

/// The error of a timeout whose deadline passed.
struct elapsed {};

/// Polls the inner future first; the timer is armed only if it is pending,
/// so wrapping a future that is ready costs no timer at all.
///   auto r = co_await kyoto::timeout(1s, read_request(stream));
///   if (!r) co_return;   // timed out: the read was cancelled (destroyed)
template <future F>
class [[nodiscard]] timeout_future {
 public:
  using output_type = result<output_of<F>, elapsed>;

  timeout_future(instant deadline, F&& f) : inner_(std::forward<F>(f)), deadline_(deadline) {}
  timeout_future(timeout_future&& o) noexcept(std::is_nothrow_move_constructible_v<F>)
      : inner_(std::forward<F>(o.inner_)), deadline_(o.deadline_) {}

  poll_result<output_type> poll(context& cx) {
    if constexpr (std::is_void_v<output_of<F>>) {
      if (inner_.poll(cx).is_ready()) return output_type();
    } else {
      auto r = inner_.poll(cx);
      if (r.is_ready()) return output_type(std::move(r).value());
    }
    if (!delay_) delay_.emplace(sleep::until(deadline_));
    if (delay_->poll(cx).is_ready()) return output_type(kyoto::err(elapsed{}));
    return pending;
  }

 private:
  F inner_;
  instant deadline_;
  std::optional<sleep> delay_;
};

template <class Rep, class Period, future F>
timeout_future<F> timeout(std::chrono::duration<Rep, Period> d, F&& f) {
  return timeout_future<F>(instant::now() + d, std::forward<F>(f));
}

/// timeout with an absolute deadline.
template <future F>
timeout_future<F> timeout_at(instant deadline, F&& f) {
  return timeout_future<F>(deadline, std::forward<F>(f));
}

}  // namespace kyoto
