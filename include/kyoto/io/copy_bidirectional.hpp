// io::copy_bidirectional: copies a to b and b to a at once, within the
// calling task (Tokio's io::copy_bidirectional) - what a proxy does:
//   auto [client, peer] = ...;                      // two streams
//   auto r = co_await kyoto::io::copy_bidirectional(client, upstream);
//   if (r) log(r->first, r->second);                // bytes a->b, b->a
// When one side's reads end, the other side's write direction is shut down
// (the half-close propagates) while the other direction keeps copying;
// ready once both directions are done, or with the first error of either
// (the other direction then stops too). One buffer per direction for the
// whole copy. Not cancel safe: bytes read and not yet written are lost
// when the future is dropped.
#pragma once

#include <cstdint>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/io/detail/copy_buffer.hpp"
#include "kyoto/io/traits.hpp"

namespace kyoto::io {

template <class A, class B>
requires async_read<A> && async_write<A> && async_read<B> && async_write<B>
class [[nodiscard]] copy_bidirectional_future {
 public:
  using output_type = result<std::pair<std::uint64_t, std::uint64_t>>;
  copy_bidirectional_future(A& a, B& b) noexcept : a_(&a), b_(&b) {}

  poll_result<output_type> poll(context& cx) {
    auto ab = a_to_b_.poll(cx, *a_, *b_);
    if (ab.is_ready() && !ab.value()) return output_type(kyoto::err(ab.value().error()));
    auto ba = b_to_a_.poll(cx, *b_, *a_);
    if (ba.is_ready() && !ba.value()) return output_type(kyoto::err(ba.value().error()));
    if (ab.is_pending() || ba.is_pending()) return pending;
    return output_type(std::pair(*ab.value(), *ba.value()));
  }

 private:
  // copy, then shut the writer down, then done.
  class direction {
   public:
    template <class R, class W>
    poll_result<result<std::uint64_t>> poll(context& cx, R& r, W& w) {
      using out = result<std::uint64_t>;
      if (state_ == state::copying) {
        auto p = buf_.poll_copy(cx, r, w);
        if (p.is_pending()) return pending;
        if (!p.value()) return out(kyoto::err(p.value().error()));
        state_ = state::shutting_down;
      }
      if (state_ == state::shutting_down) {
        auto p = w.poll_shutdown(cx);
        if (p.is_pending()) return pending;
        if (!p.value()) return out(kyoto::err(p.value().error()));
        state_ = state::done;
      }
      return out(buf_.amount());
    }

   private:
    enum class state { copying, shutting_down, done };
    detail::copy_buffer buf_;
    state state_ = state::copying;
  };

  A* a_;
  B* b_;
  direction a_to_b_;
  direction b_to_a_;
};

/// Ready with {bytes a->b, bytes b->a}.
template <class A, class B>
requires async_read<A> && async_write<A> && async_read<B> && async_write<B>
copy_bidirectional_future<A, B> copy_bidirectional(A& a, B& b) noexcept {
  return copy_bidirectional_future<A, B>(a, b);
}

}  // namespace kyoto::io
