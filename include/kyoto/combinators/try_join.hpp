// try_join(f...): join for fallible branches; the first error wins.
#pragma once

#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"

namespace kyoto {

namespace detail {
template <class R>
using result_value_t = std::conditional_t<std::is_void_v<typename R::value_type>, std::monostate,
                                          typename R::value_type>;
}

/// Every branch outputs a result-like type with the same error type. Ready
/// with all values once every branch succeeded, or with the first error as
/// soon as one fails; the other branches are destroyed (cancelled) then.
template <future F0, future... Fs>
requires result_like<output_of<F0>> && (result_like<output_of<Fs>> && ...)
class [[nodiscard]] try_join_future {
 public:
  using error_type = typename output_of<F0>::error_type;
  using output_type = result<
      std::tuple<detail::result_value_t<output_of<F0>>, detail::result_value_t<output_of<Fs>>...>,
      error_type>;

  explicit try_join_future(F0&& f0, Fs&&... fs)
      : branches_(std::in_place, std::forward<F0>(f0), std::forward<Fs>(fs)...) {}

  poll_result<output_type> poll(context& cx) {
    std::optional<error_type> failed;
    bool all = poll_each(cx, failed, std::make_index_sequence<1 + sizeof...(Fs)>{});
    if (failed) {
      branches_.reset();
      return output_type(kyoto::err(std::move(*failed)));
    }
    if (!all) return pending;
    return std::apply(
        [](auto&... out) {
          return output_type(typename output_type::value_type(std::move(*out)...));
        },
        values_);
  }

 private:
  template <std::size_t... I>
  bool poll_each(context& cx, std::optional<error_type>& failed, std::index_sequence<I...>) {
    bool all = true;
    (void)((poll_one<I>(cx, failed, all), !failed) && ...);
    return all;
  }

  template <std::size_t I>
  void poll_one(context& cx, std::optional<error_type>& failed, bool& all) {
    auto& value = std::get<I>(values_);
    if (value) return;
    auto r = std::get<I>(*branches_).poll(cx);
    if (r.is_pending()) {
      all = false;
      return;
    }
    auto& res = r.value();
    if (!res.has_value()) {
      failed.emplace(std::move(res).error());
      return;
    }
    if constexpr (std::is_void_v<typename std::remove_cvref_t<decltype(res)>::value_type>) {
      value.emplace();
    } else {
      value.emplace(std::move(*res));
    }
  }

  std::optional<std::tuple<F0, Fs...>> branches_;
  std::tuple<std::optional<detail::result_value_t<output_of<F0>>>,
             std::optional<detail::result_value_t<output_of<Fs>>>...>
      values_;
};

/// Awaits fallible branches concurrently, short-circuiting on an error:
///   auto r = co_await kyoto::try_join(load(a), load(b));
///   if (!r) co_return kyoto::err(r.error());
///   auto [x, y] = *r;
template <future F0, future... Fs>
requires result_like<output_of<F0>> && (result_like<output_of<Fs>> && ...)
try_join_future<F0, Fs...> try_join(F0&& f0, Fs&&... fs) {
  return try_join_future<F0, Fs...>(std::forward<F0>(f0), std::forward<Fs>(fs)...);
}

}  // namespace kyoto
