// The future concept: anything with an output_type and poll(cx).
#pragma once

#include <concepts>
#include <type_traits>
#include <variant>

#include "kyoto/core/context.hpp"
#include "kyoto/core/poll.hpp"

namespace kyoto {

/// A hand-written future is a plain struct:
///   struct ready_42 {
///     using output_type = int;
///     kyoto::poll_result<int> poll(kyoto::context&) { return 42; }
///   };
/// Once polled, a future must not be moved (it may have handed out its
/// address, e.g. as a waiter node).
template <class F>
concept future = requires(std::remove_reference_t<F>& f, context& cx) {
  typename std::remove_reference_t<F>::output_type;
  { f.poll(cx) } -> std::same_as<poll_result<typename std::remove_reference_t<F>::output_type>>;
};

/// The output of a future F.
template <class F>
using output_of = typename std::remove_reference_t<F>::output_type;

/// The output of F with void replaced by std::monostate, for tuples/variants.
template <class F>
using value_of = std::conditional_t<std::is_void_v<output_of<F>>, std::monostate, output_of<F>>;

namespace detail {
/// Polls f once; if ready, returns its output as value_of<F> in an optional.
template <class F>
inline bool poll_into(F& f, context& cx, auto& slot) {
  if constexpr (std::is_void_v<output_of<F>>) {
    if (f.poll(cx).is_pending()) return false;
    slot.emplace();
  } else {
    auto r = f.poll(cx);
    if (r.is_pending()) return false;
    slot.emplace(std::move(r).value());
  }
  return true;
}
}  // namespace detail

}  // namespace kyoto
