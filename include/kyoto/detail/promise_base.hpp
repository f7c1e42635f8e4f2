// The machinery shared by kyoto's coroutine promises (task, async_generator).
//
// How a chain of coroutines is driven by poll:
//   A task that is polled (by block_on, a runtime, a combinator) is a *root*.
//   A task that is co_awaited by another coroutine is a *child*: its root
//   (root_bits_) points at the root of the awaiting chain, its
//   continuation_ at the awaiting coroutine. Only the root's fields
//   resume_, blocked_on_ and repoll_ are used.
//
//   poll_root(cx) resumes resume_ (first: the root itself). Control comes
//   back to poll_root when either
//     - the root finished (resume_ is left empty), or
//     - some coroutine of the chain (the leaf) awaits a future that is
//       pending: its awaiter stored itself in blocked_on_/repoll_ and the
//       leaf's handle in resume_. The future has registered cx.waker().
//     - a generator root yielded a value: repoll_ is then resume_after_yield
//       (always ready) and resume_ the generator itself.
//   The next poll_root first re-polls only that future (repoll_), and
//   resumes the leaf once it is ready. While the chain runs, blocked_on_
//   holds the poll's context instead (current_context()): the two uses never
//   overlap, and a frame keeps one pointer fewer. The chain is
//   single-threaded: only the thread currently polling the root touches any
//   of these fields.
//
//   Each coroutine's own "finished" flag is bit 0 of root_bits_ (set by
//   complete(), which co_return and try_'s early return both reach).
//   Frames are at least 8-byte aligned, so the bit is free; it saves a
//   padded word in every frame.
//
//   Coroutine-to-coroutine transfers (start a child, return to the parent)
//   are symmetric transfers in optimised builds. In unoptimised builds they
//   are not tail calls, so they go through resume_ and the loop in
//   poll_root instead (KYOTO_DETAIL_TRAMPOLINE): same fields, flat stack.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "kyoto/config.hpp"
#include "kyoto/core/future.hpp"
#include "kyoto/detail/frame_prefix.hpp"

namespace kyoto::detail {

/// Awaitables that kyoto's promises accept as they are (they know the
/// protocol above). Everything else awaited must be a future.
template <class A>
concept kyoto_awaiter = requires {
  typename std::remove_cvref_t<A>::is_kyoto_awaiter;
};

class promise_base {
 public:
  static void* operator new(std::size_t size) { return allocate_frame(size); }
  static void operator delete(void* p, std::size_t size) noexcept { deallocate_frame(p, size); }

  std::suspend_always initial_suspend() noexcept { return {}; }

  /// Called once by the coroutine's owner: the first poll resumes `self`.
  void prime(std::coroutine_handle<> self) noexcept { resume_ = self; }

  /// Marks this coroutine finished and returns where control goes next.
  std::coroutine_handle<> complete() noexcept {
    root_bits_ |= done_bit;
    if (!continuation_) return std::noop_coroutine();
#if KYOTO_DETAIL_TRAMPOLINE
    root()->resume_ = continuation_;
    return std::noop_coroutine();
#else
    return continuation_;
#endif
  }

  /// Starts `child` (a suspended-at-start coroutine) on behalf of `self`.
  std::coroutine_handle<> enter(promise_base& child, std::coroutine_handle<> child_handle,
                                std::coroutine_handle<> self) noexcept {
    child.continuation_ = self;
    child.root_bits_ = reinterpret_cast<std::uintptr_t>(root());
#if KYOTO_DETAIL_TRAMPOLINE
    root()->resume_ = child_handle;
    return std::noop_coroutine();
#else
    return child_handle;
#endif
  }

  /// Records that the leaf coroutine waits on a pending future.
  void block_on_future(std::coroutine_handle<> leaf, void* awaiter,
                       bool (*repoll)(void*, context&)) noexcept {
    promise_base* r = root();
    r->resume_ = leaf;
    r->blocked_on_ = awaiter;
    r->repoll_ = repoll;
  }

  /// The context of the poll that is running the chain.
  context& current_context() const noexcept { return *static_cast<context*>(root()->blocked_on_); }

  /// Drives the chain rooted here; true once the root has finished. Also
  /// returns (false) when a generator root yielded a value (yielded()).
  bool poll_root(context& cx) {
    if (repoll_) {
      if (!repoll_(blocked_on_, cx)) return false;
      repoll_ = nullptr;
    }
    blocked_on_ = &cx;
    do {
      std::exchange(resume_, {}).resume();
    } while (resume_ && !repoll_);
    return done();
  }

  /// A generator root suspends at co_yield: the next poll resumes it.
  void yield_to_poller(std::coroutine_handle<> self) noexcept {
    resume_ = self;
    repoll_ = &resume_after_yield;
  }
  bool yielded() const noexcept { return repoll_ == &resume_after_yield; }

  bool done() const noexcept { return root_bits_ & done_bit; }

 protected:
  static constexpr std::uintptr_t done_bit = 1;
  static bool resume_after_yield(void*, context&) noexcept { return true; }
  promise_base* root() const noexcept {
    return reinterpret_cast<promise_base*>(root_bits_ & ~done_bit);
  }

  std::coroutine_handle<> continuation_{};
  std::uintptr_t root_bits_ = reinterpret_cast<std::uintptr_t>(this);
  std::coroutine_handle<> resume_{};
  void* blocked_on_ = nullptr;  // the awaiter while blocked, the context while running
  bool (*repoll_)(void*, context&) = nullptr;
};

/// What a final_suspend returns: transfer to whoever comes next.
struct final_awaiter {
  bool await_ready() const noexcept { return false; }
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    return h.promise().complete();
  }
  void await_resume() const noexcept {}
};

/// Hands an exception thrown by a future's re-poll (which poll_root runs
/// outside the awaiting coroutine) to that coroutine's await_resume. The
/// coroutine is resumed at once on the same thread, so one slot per thread
/// is enough; it is touched only when a poll throws.
void stash_poll_error(std::exception_ptr e) noexcept;
std::exception_ptr take_poll_error() noexcept;

/// co_await of a (non-coroutine) future inside a kyoto coroutine. It holds
/// a pointer: an rvalue operand of co_await is a temporary that lives
/// until the end of the full expression, i.e. across the whole await, so
/// the future is neither moved nor stored twice in the frame. A void
/// future's awaiter is that one pointer (it lives in every frame that
/// awaits one, so its bytes count): an exception from the first poll
/// leaves await_suspend, which C++ rethrows in the coroutine; one from a
/// re-poll goes through stash_poll_error, the pointer nulled to say so.
template <class F>
class [[nodiscard]] future_awaiter {
 public:
  using is_kyoto_awaiter = void;

  explicit future_awaiter(F& f) noexcept : future_(&f) {}
  future_awaiter(const future_awaiter&) = delete;
  future_awaiter& operator=(const future_awaiter&) = delete;

  bool await_ready() const noexcept { return false; }

  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    promise_base& p = h.promise();
    if (poll_into(*future_, p.current_context(), output_)) return false;  // ready: go on at once
    p.block_on_future(h, this, &repoll);
    return true;
  }

  decltype(auto) await_resume() {
    if (!future_) [[unlikely]]
      std::rethrow_exception(take_poll_error());
    if constexpr (!std::is_void_v<output_of<F>>) return std::move(*output_);
  }

 private:
  static bool repoll(void* self, context& cx) {
    auto* a = static_cast<future_awaiter*>(self);
    try {
      return poll_into(*a->future_, cx, a->output_);
    } catch (...) {
      stash_poll_error(std::current_exception());
      a->future_ = nullptr;
      return true;
    }
  }

  struct no_output {
    void emplace() noexcept {}
  };

  F* future_;
  [[no_unique_address]] std::conditional_t<std::is_void_v<output_of<F>>, no_output,
                                           std::optional<value_of<F>>>
      output_;
};

template <class>
inline constexpr bool always_false = false;

}  // namespace kyoto::detail
