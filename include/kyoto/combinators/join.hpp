// join(f...): run several futures concurrently in the current task.
#pragma once

#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>

#include "kyoto/core/future.hpp"

namespace kyoto {

/// Polls every unfinished branch each time it is polled; ready when all are.
/// Output: std::tuple of the branches' outputs (void becomes std::monostate).
template <future... Fs>
class [[nodiscard]] join_future {
 public:
  using output_type = std::tuple<value_of<Fs>...>;

  explicit join_future(Fs&&... fs) : branches_(std::forward<Fs>(fs)...) {}

  poll_result<output_type> poll(context& cx) {
    bool all = poll_each(cx, std::index_sequence_for<Fs...>{});
    if (!all) return pending;
    return std::apply([](auto&... out) { return output_type(std::move(*out)...); }, outputs_);
  }

 private:
  template <std::size_t... I>
  bool poll_each(context& cx, std::index_sequence<I...>) {
    bool all = true;
    ((std::get<I>(outputs_) || detail::poll_into(std::get<I>(branches_), cx, std::get<I>(outputs_))
          ? void()
          : void(all = false)),
     ...);
    return all;
  }

  std::tuple<Fs...> branches_;
  std::tuple<std::optional<value_of<Fs>>...> outputs_;
};

/// A branch passed as an rvalue is moved into the join; one passed as an
/// lvalue is polled in place and stays the caller's.
/// Awaits all branches concurrently (within the current task):
///   auto [a, b] = co_await kyoto::join(fetch(x), fetch(y));
/// An exception from a branch propagates out of the join; the other
/// branches are then destroyed (cancelled) with the join.
template <future... Fs>
join_future<Fs...> join(Fs&&... fs) {
  return join_future<Fs...>(std::forward<Fs>(fs)...);
}

}  // namespace kyoto
