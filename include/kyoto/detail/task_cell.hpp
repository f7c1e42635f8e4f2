// The spawned-task cell: one allocation holding the header (state word,
// scheduler links, join waker), the output slot and the future.
//
// The state machine that lives in header.state is described in
// src/task/state.hpp and docs/design/task-states.md; this header holds only
// the layout and the type-dependent operations the harness calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/detail/frame_allocator.hpp"
#include "kyoto/runtime/join_error.hpp"

namespace kyoto::detail {

struct task_header;
struct scheduler;

/// Tells the owner's panic hook (if any) that a task threw.
void report_task_panic(scheduler* owner, const std::exception_ptr& e) noexcept;

/// The operations that depend on the future's type.
struct task_vtable {
  /// Polls the future; true once it finished, its output (or the exception
  /// it threw) stored and the future destroyed.
  bool (*poll_future)(task_header*, context&);
  /// Destroys the future without finishing it and stores "cancelled".
  void (*cancel_future)(task_header*);
  /// Destroys the stored output that no join handle will read.
  void (*drop_output)(task_header*);
  /// Frees the cell (the future and output are already gone).
  void (*deallocate)(task_header*);
};

struct task_header {
  /// Bits and reference count, see src/task/state.hpp.
  std::atomic<std::uint64_t> state;
  const task_vtable* vtable;
  /// The scheduler the task belongs to (never changes).
  scheduler* owner;
  /// Intrusive link for the injection queue and the current-thread queue;
  /// touched only by whoever holds the task's notified reference.
  task_header* queue_next = nullptr;
  /// Links in the owner's list of live tasks; guarded by that list's lock.
  task_header* owned_prev = nullptr;
  task_header* owned_next = nullptr;
  /// Which shard of the owned list holds the task (set at spawn).
  std::uint32_t owned_shard = 0;
  /// Whether the task is in the owned list.
  bool owned = false;
  /// The waker of whoever awaits the join handle. Written by the join
  /// handle only while JOIN_WAKER is clear, read by the completing thread
  /// only once COMPLETE and JOIN_WAKER are both set.
  waker join_waker;

  task_header(std::uint64_t initial, const task_vtable* vt, scheduler* s) noexcept
      : state(initial), vtable(vt), owner(s) {}
};

/// Where the output lives: a join_handle<T> reads it by this type alone.
template <class T>
struct output_cell : task_header {
  using header = task_header;
  using header::header;
  std::optional<result<T, join_error>> output;
};

/// The whole cell for a future F.
template <class F>
struct task_cell final : output_cell<output_of<F>> {
  using output_type = output_of<F>;
  union {
    F future;
  };
  bool future_live = true;

  template <class G>
  task_cell(std::uint64_t initial, scheduler* s, G&& g)
      : output_cell<output_type>(initial, &vtable_, s) {
    ::new (static_cast<void*>(&future)) F(std::forward<G>(g));
  }
  ~task_cell() {
    if (future_live) future.~F();
  }

  static void* operator new(std::size_t size) { return frame_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { frame_deallocate(p, size); }

  static task_cell* of(task_header* h) noexcept { return static_cast<task_cell*>(h); }

  void destroy_future() noexcept {
    future.~F();
    future_live = false;
  }

  static bool poll_future(task_header* h, context& cx) {
    task_cell* c = of(h);
    try {
      auto r = c->future.poll(cx);
      if (r.is_pending()) return false;
      if constexpr (std::is_void_v<output_type>) {
        c->output.emplace();
      } else {
        c->output.emplace(std::move(r).value());
      }
    } catch (...) {
      std::exception_ptr e = std::current_exception();
      report_task_panic(c->owner, e);
      c->output.emplace(kyoto::err(join_error::panic(std::move(e))));
    }
    c->destroy_future();
    return true;
  }
  static void cancel_future(task_header* h) {
    task_cell* c = of(h);
    if (c->future_live) c->destroy_future();
    c->output.emplace(kyoto::err(join_error::cancelled()));
  }
  static void drop_output(task_header* h) { of(h)->output.reset(); }
  static void deallocate(task_header* h) { delete of(h); }

  static constexpr task_vtable vtable_{&poll_future, &cancel_future, &drop_output, &deallocate};
};

}  // namespace kyoto::detail
