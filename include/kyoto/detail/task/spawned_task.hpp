// A spawned task<T> needs no cell: its task_header is built in the prefix
// of its own coroutine frame (frame_prefix.hpp), so spawning allocates
// nothing and the task is one block, like a cell for a hand-written future.
//
// Lifetime of the block:
//   adopt       the spawner builds the header (the block's size code goes
//               in the top byte of its state word); the coroutine's
//               operator delete now leaves the block alone.
//   finish      on completion or cancellation (the harness cancels only a
//               task that has not completed, so the coroutine is then still
//               alive), the thread holding RUNNING moves the result out of
//               the promise, destroys the coroutine (locals, parameters,
//               promise) and builds the output slot in the dead frame's
//               bytes.
//   deallocate  the last reference: destroys the slot and the header and
//               frees the block.
// The output slot (std::optional<result<T, join_error>>) is never larger
// than the frame's resume and destroy pointers and the promise (which holds
// a T or an exception), so it always fits.
#pragma once

#include <cassert>
#include <coroutine>
#include <exception>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "kyoto/core/result.hpp"
#include "kyoto/core/task.hpp"
#include "kyoto/detail/task/frame_prefix.hpp"
#include "kyoto/detail/task/header.hpp"
#include "kyoto/runtime/join_error.hpp"

namespace kyoto::detail {

template <class T>
struct spawned_task {
  using promise = task_promise<T>;
  using slot = std::optional<result<T, join_error>>;

  // The frame starts with the resume and destroy pointers, then the promise
  // (the layout coroutine_handle::from_promise relies on, in g++ and clang).
  static_assert(sizeof(slot) <= 2 * sizeof(void*) + sizeof(promise) && alignof(slot) <= 16,
                "the output slot must fit in the frame's first bytes");

  /// Builds the header in `t`'s frame; the caller submits it.
  static task_header* adopt(task<T>&& t, std::uint64_t initial) noexcept {
    std::coroutine_handle<promise> co = std::exchange(t.handle_, {});
    assert(co && "spawn of a moved-from task");
    frame_prefix* p = frame_prefix::of_frame(co.address());
    assert(!p->spawned() && "a task frame spawned twice");
    std::uint64_t code = frame_size_code(sizeof(frame_prefix) + p->unspawned_frame_bytes());
    return ::new (static_cast<void*>(p->header))
        task_header(initial | (code << task_header::frame_code_shift), &vtable_);
  }

  static std::coroutine_handle<promise> coroutine(task_header* h) noexcept {
    return std::coroutine_handle<promise>::from_address(frame_prefix::of_header(h)->frame());
  }
  static slot* output_of(task_header* h) noexcept {
    return std::launder(static_cast<slot*>(frame_prefix::of_header(h)->frame()));
  }

  /// Destroys the coroutine and stores `out` where its frame was.
  static void finish(task_header* h, slot&& out) noexcept {
    frame_prefix* p = frame_prefix::of_header(h);
    destroy_coroutine(coroutine(h));
    ::new (p->frame()) slot(std::move(out));
  }

  static bool poll_future(task_header* h, context& cx) {
    promise& pr = coroutine(h).promise();
    if (!pr.poll_root(cx)) return false;
    slot out;
    try {
      if constexpr (std::is_void_v<T>) {
        pr.take_result();
        out.emplace();
      } else {
        out.emplace(pr.take_result());
      }
    } catch (...) {
      std::exception_ptr e = std::current_exception();
      report_task_panic(h, e);
      out.emplace(kyoto::err(join_error::panic(std::move(e))));
    }
    finish(h, std::move(out));
    return true;
  }
  static void cancel_future(task_header* h) {
    finish(h, slot(kyoto::err(join_error::cancelled())));
  }
  static void drop_output(task_header* h) { output_of(h)->reset(); }
  static void* output_slot(task_header* h) { return output_of(h); }
  static void deallocate(task_header* h) {
    frame_prefix* p = frame_prefix::of_header(h);
    auto code = static_cast<std::uint8_t>(h->state.load(std::memory_order_relaxed) >>
                                          task_header::frame_code_shift);  // the low 8 bits
    output_of(h)->~slot();
    h->~task_header();
    p->release(code);
  }

  static constexpr task_vtable vtable_{&poll_future, &cancel_future, &drop_output, &output_slot,
                                       &deallocate};
};

}  // namespace kyoto::detail
