// The cell of a spawned future of any type: one allocation holding the
// header (header.hpp), the output slot and the future. A spawned
// task<T> does not need one: its header goes in its own frame
// (spawned_task.hpp).
#pragma once

#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/detail/alloc/frame_allocator.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/detail/task/header.hpp"
#include "kyoto/runtime/join_error.hpp"

namespace kyoto::detail {

/// The whole cell for a future F.
template <class F>
struct task_cell final : task_header {
  using output_type = output_of<F>;
  std::optional<result<output_type, join_error>> output;
  union {
    F future;
  };
  bool future_live = true;

  template <class G>
  task_cell(std::uint64_t initial, G&& g) : task_header(initial, &vtable_) {
    ::new (static_cast<void*>(&future)) F(std::forward<G>(g));
  }
  ~task_cell() {
    if (future_live) future.~F();
  }

  static void* operator new(std::size_t size) { return frame_block_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept {
    frame_block_deallocate(p, size);
  }

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
      report_task_panic(c, e);
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
  static void* output_slot(task_header* h) { return &of(h)->output; }
  static void deallocate(task_header* h) { delete of(h); }

  static constexpr task_vtable vtable_{&poll_future, &cancel_future, &drop_output, &output_slot,
                                       &deallocate};
};

}  // namespace kyoto::detail
