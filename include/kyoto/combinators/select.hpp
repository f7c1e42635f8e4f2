// select(f...): the first branch to finish wins; the others are destroyed.
#pragma once

#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>
#include <variant>

#include "kyoto/core/future.hpp"

namespace kyoto {

/// Polls its branches in order (branch 0 first, like Tokio's `biased;`).
/// The output is a variant whose index() is the winning branch; as soon as
/// one finishes, every other branch owned by the select is destroyed.
template <future... Fs>
class [[nodiscard]] select_future {
 public:
  using output_type = std::variant<value_of<Fs>...>;

  explicit select_future(Fs&&... fs) : branches_(std::in_place, std::forward<Fs>(fs)...) {}

  poll_result<output_type> poll(context& cx) {
    std::optional<output_type> won;
    poll_each(cx, won, std::index_sequence_for<Fs...>{});
    if (!won) return pending;
    branches_.reset();  // the losers are cancelled now, not when the select dies
    return std::move(*won);
  }

 private:
  template <std::size_t... I>
  void poll_each(context& cx, std::optional<output_type>& won, std::index_sequence<I...>) {
    (void)((poll_one<I>(cx, won)) || ...);
  }

  template <std::size_t I>
  bool poll_one(context& cx, std::optional<output_type>& won) {
    std::optional<value_of<std::tuple_element_t<I, std::tuple<Fs...>>>> out;
    if (!detail::poll_into(std::get<I>(*branches_), cx, out)) return false;
    won.emplace(std::in_place_index<I>, std::move(*out));
    return true;
  }

  std::optional<std::tuple<Fs...>> branches_;
};

/// Waits for the first of several futures:
///   auto r = co_await kyoto::select(read_msg(), shutdown.notified());
///   if (r.index() == 0) handle(std::get<0>(r));
template <future... Fs>
select_future<Fs...> select(Fs&&... fs) {
  return select_future<Fs...>(std::forward<Fs>(fs)...);
}

/// select() for branches of one output type: the output is the winner's.
///   int first = co_await kyoto::race(ask(a), ask(b));
template <future F, future... Fs>
requires(std::is_same_v<output_of<F>, output_of<Fs>> && ...)
class [[nodiscard]] race_future {
 public:
  using output_type = output_of<F>;

  explicit race_future(F&& f, Fs&&... fs) : inner_(std::forward<F>(f), std::forward<Fs>(fs)...) {}

  poll_result<output_type> poll(context& cx) {
    auto r = inner_.poll(cx);
    if (r.is_pending()) return pending;
    if constexpr (std::is_void_v<output_type>) {
      return poll_result<void>::ready();
    } else {
      return std::visit([](auto& v) -> output_type { return std::move(v); }, r.value());
    }
  }

 private:
  select_future<F, Fs...> inner_;
};

template <future F, future... Fs>
requires(std::is_same_v<output_of<F>, output_of<Fs>> && ...)
race_future<F, Fs...> race(F&& f, Fs&&... fs) {
  return race_future<F, Fs...>(std::forward<F>(f), std::forward<Fs>(fs)...);
}

}  // namespace kyoto
