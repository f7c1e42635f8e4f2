// The stream concept (an async iterator) and next().
#pragma once

#include <concepts>
#include <optional>
#include <type_traits>

#include "kyoto/core/future.hpp"

namespace kyoto {

/// A stream yields items until it ends:
///   poll_next(cx) -> poll_result<std::optional<item_type>>  (nullopt = end)
/// Like a future, it registers cx's waker before answering pending.
template <class S>
concept stream = requires(std::remove_reference_t<S>& s, context& cx) {
  typename std::remove_reference_t<S>::item_type;
  {
    s.poll_next(cx)
  } -> std::same_as<poll_result<std::optional<typename std::remove_reference_t<S>::item_type>>>;
};

template <class S>
using item_of = typename std::remove_reference_t<S>::item_type;

/// The next item of a stream (nullopt at the end):
///   while (auto item = co_await kyoto::next(s)) use(*item);
/// Cancel safe if the stream's poll_next is (items are not lost by
/// dropping a pending next()).
template <stream S>
class [[nodiscard]] next_future {
 public:
  using output_type = std::optional<item_of<S>>;
  explicit next_future(S& s) noexcept : s_(&s) {}
  poll_result<output_type> poll(context& cx) { return s_->poll_next(cx); }

 private:
  S* s_;
};

template <stream S>
next_future<S> next(S& s) noexcept {
  return next_future<S>(s);
}

}  // namespace kyoto
