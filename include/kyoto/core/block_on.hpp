// block_on(f): run a future to completion on this thread, without a runtime.
#pragma once

#include <type_traits>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/detail/runtime/thread_park.hpp"

namespace kyoto {

/// Polls `f` on the calling thread, parking the thread (no spinning)
/// between polls until f's waker fires, from any thread.
///   int v = kyoto::block_on(compute());
/// An lvalue future is polled in place; an rvalue is moved in first.
template <future F>
output_of<F> block_on(F&& f) {
  if constexpr (!std::is_lvalue_reference_v<F>) {
    std::remove_cvref_t<F> owned(std::forward<F>(f));
    return block_on(owned);
  } else {
    waker w = detail::current_thread_waker();
    context cx(w);
    for (;;) {
      auto r = f.poll(cx);
      if (r.is_ready()) return std::move(r).value();
      detail::park_current_thread();
    }
  }
}

}  // namespace kyoto
