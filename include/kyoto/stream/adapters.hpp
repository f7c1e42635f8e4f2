// Stream adapters: map, filter, take, then, merge, chunks, timeout, collect.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "kyoto/core/result.hpp"
#include "kyoto/stream/stream.hpp"
#include "kyoto/time/sleep.hpp"
#include "kyoto/time/timeout.hpp"

namespace kyoto {

/// Each item transformed by f:  auto lens = kyoto::map(std::move(words), &std::string::size);
template <stream S, class F>
class map_stream {
 public:
  using item_type = std::invoke_result_t<F&, item_of<S>>;
  map_stream(S s, F f) : s_(std::move(s)), f_(std::move(f)) {}
  poll_result<std::optional<item_type>> poll_next(context& cx) {
    auto r = s_.poll_next(cx);
    if (r.is_pending()) return pending;
    if (!r.value()) return std::optional<item_type>();
    return std::optional<item_type>(std::invoke(f_, std::move(*r.value())));
  }

 private:
  S s_;
  F f_;
};
template <stream S, class F>
map_stream<std::remove_cvref_t<S>, F> map(S&& s, F f) {
  return {std::forward<S>(s), std::move(f)};
}

/// Only the items for which pred holds.
template <stream S, class P>
class filter_stream {
 public:
  using item_type = item_of<S>;
  filter_stream(S s, P p) : s_(std::move(s)), p_(std::move(p)) {}
  poll_result<std::optional<item_type>> poll_next(context& cx) {
    for (;;) {
      auto r = s_.poll_next(cx);
      if (r.is_pending()) return pending;
      if (!r.value() || std::invoke(p_, std::as_const(*r.value()))) return r;
    }
  }

 private:
  S s_;
  P p_;
};
template <stream S, class P>
filter_stream<std::remove_cvref_t<S>, P> filter(S&& s, P p) {
  return {std::forward<S>(s), std::move(p)};
}

/// At most n items.
template <stream S>
class take_stream {
 public:
  using item_type = item_of<S>;
  take_stream(S s, std::size_t n) : s_(std::move(s)), left_(n) {}
  poll_result<std::optional<item_type>> poll_next(context& cx) {
    if (left_ == 0) return std::optional<item_type>();
    auto r = s_.poll_next(cx);
    if (r.is_ready() && r.value()) --left_;
    return r;
  }

 private:
  S s_;
  std::size_t left_;
};
template <stream S>
take_stream<std::remove_cvref_t<S>> take(S&& s, std::size_t n) {
  return {std::forward<S>(s), n};
}

/// Each item mapped through an async function (f returns a future), one at
/// a time:  auto bodies = kyoto::then(std::move(urls), fetch);
template <stream S, class F>
class then_stream {
  using fut = std::invoke_result_t<F&, item_of<S>>;

 public:
  using item_type = output_of<fut>;
  then_stream(S s, F f) : s_(std::move(s)), f_(std::move(f)) {}
  poll_result<std::optional<item_type>> poll_next(context& cx) {
    if (!pending_) {
      auto r = s_.poll_next(cx);
      if (r.is_pending()) return pending;
      if (!r.value()) return std::optional<item_type>();
      pending_.emplace(std::invoke(f_, std::move(*r.value())));
    }
    auto r = pending_->poll(cx);
    if (r.is_pending()) return pending;
    pending_.reset();
    return std::optional<item_type>(std::move(r).value());
  }

 private:
  S s_;
  F f_;
  std::optional<fut> pending_;
};
template <stream S, class F>
then_stream<std::remove_cvref_t<S>, F> then(S&& s, F f) {
  return {std::forward<S>(s), std::move(f)};
}

/// Items of both streams as they come (alternating which is polled first,
/// so neither starves the other); ends when both end.
template <stream A, stream B>
requires std::is_same_v<item_of<A>, item_of<B>>
class merge_stream {
 public:
  using item_type = item_of<A>;
  merge_stream(A a, B b) : a_(std::move(a)), b_(std::move(b)) {}
  poll_result<std::optional<item_type>> poll_next(context& cx) {
    b_first_ = !b_first_;
    if (b_first_) {
      if (auto r = poll_one(b_, b_done_, cx)) return std::move(*r);
      if (auto r = poll_one(a_, a_done_, cx)) return std::move(*r);
    } else {
      if (auto r = poll_one(a_, a_done_, cx)) return std::move(*r);
      if (auto r = poll_one(b_, b_done_, cx)) return std::move(*r);
    }
    if (a_done_ && b_done_) return std::optional<item_type>();
    return pending;
  }

 private:
  template <class S>
  static std::optional<poll_result<std::optional<item_type>>> poll_one(S& s, bool& done,
                                                                       context& cx) {
    if (done) return std::nullopt;
    auto r = s.poll_next(cx);
    if (r.is_pending()) return std::nullopt;
    if (!r.value()) {
      done = true;
      return std::nullopt;
    }
    return std::optional<poll_result<std::optional<item_type>>>(std::move(r));
  }
  A a_;
  B b_;
  bool a_done_ = false;
  bool b_done_ = false;
  bool b_first_ = true;
};
template <stream A, stream B>
merge_stream<std::remove_cvref_t<A>, std::remove_cvref_t<B>> merge(A&& a, B&& b) {
  return {std::forward<A>(a), std::forward<B>(b)};
}

/// Items grouped into vectors of n (the last may be shorter). A chunk is
/// handed out when full, or with what is there when the source ends.
template <stream S>
class chunks_stream {
 public:
  using item_type = std::vector<item_of<S>>;
  chunks_stream(S s, std::size_t n) : s_(std::move(s)), n_(n ? n : 1) {}
  poll_result<std::optional<item_type>> poll_next(context& cx) {
    for (;;) {
      if (done_) {
        if (buf_.empty()) return std::optional<item_type>();
        return std::optional<item_type>(std::exchange(buf_, {}));
      }
      auto r = s_.poll_next(cx);
      if (r.is_pending()) return pending;
      if (!r.value()) {
        done_ = true;
        continue;
      }
      buf_.push_back(std::move(*r.value()));
      if (buf_.size() == n_) return std::optional<item_type>(std::exchange(buf_, {}));
    }
  }

 private:
  S s_;
  std::size_t n_;
  item_type buf_;
  bool done_ = false;
};
template <stream S>
chunks_stream<std::remove_cvref_t<S>> chunks(S&& s, std::size_t n) {
  return {std::forward<S>(s), n};
}

/// Each item must arrive within d of asking for it; otherwise the item is
/// an `elapsed` error (the stream goes on). The duration comes first, as in
/// the future form timeout(dur, f):
///   auto s = kyoto::timeout(100ms, std::move(requests));  // items: result<T, elapsed>
/// A type that is both a future and a stream is timed as a future (the
/// whole of it, by time/timeout.hpp's overload); to time its items, build
/// the adapter by hand: kyoto::timeout_stream<S>(d, std::move(s)).
template <stream S>
class timeout_stream {
 public:
  using item_type = result<item_of<S>, elapsed>;
  timeout_stream(instant::duration d, S s) : s_(std::move(s)), d_(d) {}
  poll_result<std::optional<item_type>> poll_next(context& cx) {
    auto r = s_.poll_next(cx);
    if (r.is_ready()) {
      timer_.reset();
      if (!r.value()) return std::optional<item_type>();
      return std::optional<item_type>(item_type(std::move(*r.value())));
    }
    if (!timer_) timer_.emplace(sleep::until(instant::now() + d_));
    if (timer_->poll(cx).is_pending()) return pending;
    timer_.reset();
    return std::optional<item_type>(item_type(kyoto::err(elapsed{})));
  }

 private:
  S s_;
  instant::duration d_;
  std::optional<sleep> timer_;
};
template <class Rep, class Period, stream S>
requires(!future<S>)
timeout_stream<std::remove_cvref_t<S>> timeout(std::chrono::duration<Rep, Period> d, S&& s) {
  return {std::chrono::duration_cast<instant::duration>(d), std::forward<S>(s)};
}
/// The old order, kept only to say what to write instead.
template <stream S, class Rep, class Period>
void timeout(S&&, std::chrono::duration<Rep, Period>) = delete;  // write timeout(dur, s)

/// All items into a vector:  std::vector<int> all = co_await kyoto::collect(std::move(s));
template <stream S>
class [[nodiscard]] collect_future {
 public:
  using output_type = std::vector<item_of<S>>;
  explicit collect_future(S s) : s_(std::move(s)) {}
  poll_result<output_type> poll(context& cx) {
    for (;;) {
      auto r = s_.poll_next(cx);
      if (r.is_pending()) return pending;
      if (!r.value()) return std::move(out_);
      out_.push_back(std::move(*r.value()));
    }
  }

 private:
  S s_;
  output_type out_;
};
template <stream S>
collect_future<std::remove_cvref_t<S>> collect(S&& s) {
  return collect_future<std::remove_cvref_t<S>>(std::forward<S>(s));
}

}  // namespace kyoto
