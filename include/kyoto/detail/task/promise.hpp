// The machinery shared by kyoto's coroutine promises (task, async_generator).
//
// How a chain of coroutines is driven by poll:
//   A task that is polled (by block_on, a runtime, a combinator) is a *root*.
//   A task that is co_awaited by another coroutine is a *child*: its link
//   holds the awaiting coroutine (its continuation). A root's link holds the
//   coroutine to resume next instead, and only a root uses blocked_on_ and
//   repoll (kept in the frame's prefix, frame_prefix.hpp). poll_root publishes the root it drives
//   in a per-thread pointer (current_root_slot(), saved and restored, so a chain may poll another
//   chain), and the chain's coroutines reach their root through it: a frame
//   keeps no root pointer. With clang the slot is reached through a
//   function in another translation unit, never inlined: a coroutine may
//   resume on another thread, and clang-16 keeps a thread-local's address
//   across a suspension point, which would read the old thread's
//   (KYOTO_DETAIL_OUT_OF_LINE_TLS in config.hpp).
//
//   poll_root(cx) resumes the root's link (first: the root itself). Control
//   comes back to poll_root when either
//     - the root finished (its link is left empty), or
//     - some coroutine of the chain (the leaf) awaits a future that is
//       pending: its awaiter stored itself in blocked_on_/repoll and the
//       leaf's handle in the root's link. The future has registered
//       cx.waker().
//     - a generator root yielded a value: repoll is then resume_after_yield
//       (always ready) and the link the generator itself.
//   The next poll_root first re-polls only that future (repoll), and
//   resumes the leaf once it is ready. While the chain runs, blocked_on_
//   holds the poll's context instead (poll_root stores &cx there; an
//   awaiter reaches it as context_of(running_root())): the two uses never
//   overlap, and a frame keeps one pointer fewer. The chain is
//   single-threaded: only the thread currently polling the root touches any
//   of these fields.
//
//   Each coroutine's own "finished" flag is bit 0 of its link (set by
//   complete(), which co_return and try_'s early return both reach), bit 2
//   says it was never entered as a child (a root: complete() returns to
//   poll_root without looking up the thread's root), and
//   bit 1 says that blocked_on_'s bytes hold the exception the body threw
//   (a child never uses blocked_on_, a root no longer needs it once its body
//   has thrown). Frames are 16-byte aligned, so the bits are free. A promise
//   is two words.
//
//   Coroutine-to-coroutine transfers (start a child, return to the parent)
//   are symmetric transfers where the compiler makes them tail calls. Where
//   it does not (g++ below -O2 or under ASan/TSan; config.hpp), they go
//   through the root's link and the loop in poll_root instead
//   (KYOTO_DETAIL_TRAMPOLINE): same fields, flat stack.
#pragma once

#include <cassert>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "kyoto/config.hpp"
#include "kyoto/core/future.hpp"
#include "kyoto/detail/task/frame_prefix.hpp"

namespace kyoto::detail {

/// Awaitables that kyoto's promises accept as they are (they know the
/// protocol above). Everything else awaited must be a future.
template <class A>
concept kyoto_awaiter = requires { typename std::remove_cvref_t<A>::is_kyoto_awaiter; };

/// Destroys a kyoto coroutine (task, generator). With clang the call goes
/// through a function it cannot see into: clang elides a coroutine's
/// allocation (puts the frame in the caller's frame) when it sees the
/// caller destroy it on every path, and such a frame has no prefix
/// (frame_prefix.hpp), where a root keeps its repoll function.
void destroy_coroutine_out_of_line(void* frame) noexcept;

/// Prints what g++ 12 got wrong in a coroutine and how to work around it,
/// then aborts (promise_base::prime).
[[noreturn]] void report_miscompiled_frame() noexcept;
inline void destroy_coroutine(std::coroutine_handle<> h) noexcept {
#if defined(__clang__)
  destroy_coroutine_out_of_line(h.address());
#else
  h.destroy();
#endif
}

class promise_base {
 public:
  using repoll_fn = frame_prefix::repoll_fn;
  static void* operator new(std::size_t size) { return allocate_prefixed_frame(size); }
  static void operator delete(void* p, std::size_t size) noexcept {
    deallocate_prefixed_frame(p, size);
  }

  promise_base() noexcept : blocked_on_(nullptr) {}
  promise_base(const promise_base&) = delete;
  promise_base& operator=(const promise_base&) = delete;
  ~promise_base() {
    if (link_bits_ & error_bit) error_.~exception_ptr();
  }

  std::suspend_always initial_suspend() noexcept { return {}; }

  /// Called once by the coroutine's owner: the first poll resumes `self`.
  void prime(std::coroutine_handle<> self) noexcept {
    assert(self.address() == reinterpret_cast<unsigned char*>(this) - frame_promise_offset &&
           "the promise is not where g++ and clang put it");
#if defined(__GNUC__) && !defined(__clang__)
    // g++ 12 miscompiles a coroutine that has no local variable and awaits
    // in the condition of an if / while / for / switch: its handle is 8
    // bytes past what operator new returned, and resuming it runs none of
    // its body (the task would hang). Such a handle is not 16-byte aligned
    // (kyoto's frames are), and the word in front of it where the
    // not-spawned mark belongs holds the frame's size: stop with a clear
    // message instead. Read as bytes: the misplaced prefix is misaligned.
    if (frame_looks_misplaced(self.address())) [[unlikely]]
      report_miscompiled_frame();
#endif
    set_link(self);
    link_bits_ |= root_bit;  // until enter() makes it a child
  }

#if defined(__GNUC__) && !defined(__clang__)
  static bool frame_looks_misplaced(void* frame) noexcept {
    if (reinterpret_cast<std::uintptr_t>(frame) % 16 != 0) return true;
    const void* mark;
    std::memcpy(&mark, static_cast<unsigned char*>(frame) - sizeof(frame_prefix), sizeof mark);
    return mark != nullptr;
  }
#endif

  /// Marks this coroutine finished and returns where control goes next.
  std::coroutine_handle<> complete() noexcept {
    link_bits_ |= done_bit;
    if (link_bits_ & root_bit) return std::noop_coroutine();  // poll_root returns
#if KYOTO_DETAIL_TRAMPOLINE
    current_root_slot()->set_link(link());
    return std::noop_coroutine();
#else
    return link();
#endif
  }

  /// Starts `child` (a suspended-at-start coroutine) on behalf of `self`.
  std::coroutine_handle<> enter(promise_base& child, std::coroutine_handle<> child_handle,
                                std::coroutine_handle<> self) noexcept {
    child.link_bits_ = reinterpret_cast<std::uintptr_t>(self.address()) |
                       (child.link_bits_ & (done_bit | error_bit));
#if KYOTO_DETAIL_TRAMPOLINE
    current_root_slot()->set_link(child_handle);
    return std::noop_coroutine();
#else
    return child_handle;
#endif
  }

  /// The root of the chain the calling thread is running.
  static promise_base* running_root() noexcept { return current_root_slot(); }

  /// Records that the leaf coroutine waits on a pending future; `root` is
  /// running_root().
  static void block_on_future(promise_base* root, std::coroutine_handle<> leaf, void* awaiter,
                              repoll_fn fn) noexcept {
    root->set_link(leaf);
    root->blocked_on_ = awaiter;
    root->repoll() = fn;
  }

  /// The context of the poll that is running the chain rooted at `root`.
  static context& context_of(promise_base* root) noexcept {
    return *static_cast<context*>(root->blocked_on_);
  }

  /// Drives the chain rooted here; true once the root has finished. Also
  /// returns (false) when a generator root yielded a value (yielded()).
  bool poll_root(context& cx) {
    repoll_fn& rp = repoll();
    if (rp) {
      if (!rp(blocked_on_, cx)) return false;
      rp = nullptr;
    }
    blocked_on_ = &cx;
    promise_base*& slot = current_root_slot();
    promise_base* outer = slot;
    slot = this;
    do {
      std::coroutine_handle<> next = link();
      link_bits_ &= flag_bits;
      next.resume();
    } while (link() && !rp);
    slot = outer;
    return done();
  }

  /// A generator root suspends at co_yield: the next poll resumes it.
  void yield_to_poller(std::coroutine_handle<> self) noexcept {
    set_link(self);
    repoll() = &resume_after_yield;
  }
  bool yielded() noexcept { return repoll() == &resume_after_yield; }

  bool done() const noexcept { return link_bits_ & done_bit; }

 protected:
  /// unhandled_exception: keep the exception until take_error.
  void set_error(std::exception_ptr e) noexcept {
    std::construct_at(&error_, std::move(e));
    link_bits_ |= error_bit;
  }
  bool has_error() const noexcept { return link_bits_ & error_bit; }
  std::exception_ptr take_error() noexcept {
    std::exception_ptr e = std::move(error_);
    error_.~exception_ptr();
    link_bits_ &= ~error_bit;
    return e;
  }

 private:
  static constexpr std::uintptr_t done_bit = 1;
  static constexpr std::uintptr_t error_bit = 2;
  static constexpr std::uintptr_t root_bit = 4;  // never entered as a child
  static constexpr std::uintptr_t flag_bits = done_bit | error_bit | root_bit;
  static bool resume_after_yield(void*, context&) noexcept { return true; }

  /// The calling thread's root (poll_root sets it); see above and
  /// KYOTO_DETAIL_OUT_OF_LINE_TLS.
#if KYOTO_DETAIL_OUT_OF_LINE_TLS
  static promise_base*& current_root_slot() noexcept;
#else
  static promise_base*& current_root_slot() noexcept { return current_root_; }
  static inline constinit thread_local promise_base* current_root_ = nullptr;
#endif

  /// g++ and clang put the promise after the frame's resume and destroy
  /// pointers (what coroutine_handle::from_promise computes for a promise
  /// aligned to at most 16); prime() checks it.
  static constexpr std::size_t frame_promise_offset = 2 * sizeof(void*);
  /// A root's repoll function lives in its frame's prefix (a frame_prefix
  /// word that a spawned task's header leaves free): only roots use it, so
  /// a child's frame does not carry it.
  repoll_fn& repoll() noexcept {
    return frame_prefix::of_frame(reinterpret_cast<unsigned char*>(this) - frame_promise_offset)
        ->repoll;
  }

  std::coroutine_handle<> link() const noexcept {
    return std::coroutine_handle<>::from_address(reinterpret_cast<void*>(link_bits_ & ~flag_bits));
  }
  void set_link(std::coroutine_handle<> h) noexcept {
    link_bits_ = reinterpret_cast<std::uintptr_t>(h.address()) | (link_bits_ & flag_bits);
  }

  // A child's continuation, or a root's next coroutine to resume; bits 0-2
  // are the flags above.
  std::uintptr_t link_bits_ = 0;
  union {
    void* blocked_on_;          // root: the awaiter while blocked, the context while running
    std::exception_ptr error_;  // with error_bit
  };
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

  bool await_suspend(std::coroutine_handle<> h) {
    promise_base* root = promise_base::running_root();
    if (poll_into(*future_, promise_base::context_of(root), output_)) return false;  // ready
    promise_base::block_on_future(root, h, this, &repoll);
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

/// A future whose output can be built from its own state once it is
/// ready: poll_ready(cx) polls it, take_output() (once, after true) makes
/// the output. co_await of one keeps only a pointer in the frame
/// (ready_awaiter), not an optional of the output beside the future: a
/// task waiting on a semaphore or a mutex is that much smaller.
template <class F>
concept split_output_future = future<F> && requires(F& f, context& cx) {
  { f.poll_ready(cx) } -> std::same_as<bool>;
  { f.take_output() } -> std::same_as<output_of<F>>;
};

/// co_await of a split_output_future: future_awaiter without the output
/// slot (the pointer is nulled when a re-poll threw, as there).
template <class F>
class [[nodiscard]] ready_awaiter {
 public:
  using is_kyoto_awaiter = void;

  explicit ready_awaiter(F& f) noexcept : future_(&f) {}
  ready_awaiter(const ready_awaiter&) = delete;
  ready_awaiter& operator=(const ready_awaiter&) = delete;

  bool await_ready() const noexcept { return false; }

  bool await_suspend(std::coroutine_handle<> h) {
    promise_base* root = promise_base::running_root();
    if (future_->poll_ready(promise_base::context_of(root))) return false;
    promise_base::block_on_future(root, h, this, &repoll);
    return true;
  }

  output_of<F> await_resume() {
    if (!future_) [[unlikely]]
      std::rethrow_exception(take_poll_error());
    return future_->take_output();
  }

 private:
  static bool repoll(void* self, context& cx) {
    auto* a = static_cast<ready_awaiter*>(self);
    try {
      return a->future_->poll_ready(cx);
    } catch (...) {
      stash_poll_error(std::current_exception());
      a->future_ = nullptr;
      return true;
    }
  }

  F* future_;
};

template <class>
inline constexpr bool always_false = false;

}  // namespace kyoto::detail
