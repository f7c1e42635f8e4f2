// Sinks (the futures crate's Sink), send() and forward().
#pragma once

#include <concepts>
#include <optional>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/stream/stream.hpp"

namespace kyoto {

/// Something values go into, with backpressure:
///   poll_ready(cx)  -> poll_result<result<void, E>>  room for one value?
///   start_send(v)   -> result<void, E>               only after ready
///   poll_flush(cx)  -> poll_result<result<void, E>>  everything delivered?
///   poll_close(cx)  -> poll_result<result<void, E>>  flush and close
/// with E = S::sink_error. An mpsc::sender is a sink.
template <class S, class T>
concept sink = requires(S& s, context& cx, T v) {
  typename S::sink_error;
  { s.poll_ready(cx) } -> std::same_as<poll_result<result<void, typename S::sink_error>>>;
  { s.start_send(std::move(v)) } -> std::same_as<result<void, typename S::sink_error>>;
  { s.poll_flush(cx) } -> std::same_as<poll_result<result<void, typename S::sink_error>>>;
  { s.poll_close(cx) } -> std::same_as<poll_result<result<void, typename S::sink_error>>>;
};

/// Sends one value into a sink and flushes:  co_await kyoto::send(tx, v);
template <class S, class T>
requires sink<S, T>
class [[nodiscard]] send_future {
 public:
  using output_type = result<void, typename S::sink_error>;
  send_future(S& s, T v) : s_(&s), v_(std::move(v)) {}
  poll_result<output_type> poll(context& cx) {
    if (v_) {
      auto r = s_->poll_ready(cx);
      if (r.is_pending()) return pending;
      if (!r.value()) return std::move(r).value();
      auto sent = s_->start_send(std::move(*v_));
      v_.reset();
      if (!sent) return sent;
    }
    return s_->poll_flush(cx);
  }

 private:
  S* s_;
  std::optional<T> v_;
};
template <class S, class T>
requires sink<S, std::remove_cvref_t<T>>
send_future<S, std::remove_cvref_t<T>> send(S& s, T&& v) {
  return {s, std::forward<T>(v)};
}

/// Feeds every item of a stream into a sink, then closes the sink:
///   co_await kyoto::forward(std::move(lines), tx);
template <stream St, class Si>
requires sink<Si, item_of<St>>
class [[nodiscard]] forward_future {
 public:
  using output_type = result<void, typename Si::sink_error>;
  forward_future(St st, Si& si) : st_(std::move(st)), si_(&si) {}
  poll_result<output_type> poll(context& cx) {
    for (;;) {
      if (buffered_) {
        auto r = si_->poll_ready(cx);
        if (r.is_pending()) return pending;
        if (!r.value()) return std::move(r).value();
        auto sent = si_->start_send(std::move(*buffered_));
        buffered_.reset();
        if (!sent) return sent;
      }
      if (ended_) return si_->poll_close(cx);
      auto n = st_.poll_next(cx);
      if (n.is_pending()) {
        auto f = si_->poll_flush(cx);
        if (f.is_ready() && !f.value()) return std::move(f).value();
        return pending;
      }
      if (!n.value()) {
        ended_ = true;
        continue;
      }
      buffered_.emplace(std::move(*n.value()));
    }
  }

 private:
  St st_;
  Si* si_;
  std::optional<item_of<St>> buffered_;
  bool ended_ = false;
};
template <stream St, class Si>
requires sink<Si, item_of<St>>
forward_future<std::remove_cvref_t<St>, Si> forward(St&& st, Si& si) {
  return {std::forward<St>(st), si};
}

}  // namespace kyoto
