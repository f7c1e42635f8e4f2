// The part of a spawned task the runtime sees, whatever the future's type:
// the state word, the scheduler links, the join waker, and the operations
// that depend on the type (task_vtable).
//
// A header lives either in a task_cell (a future of any type, one
// allocation) or in the prefix of a task<T>'s own coroutine frame
// (frame_prefix.hpp, spawned_task.hpp: also one allocation). The state
// machine of header.state is described in src/task/state.hpp and
// docs/design/task-states.md.
#pragma once

#include <cstdint>
#include <exception>

#include "kyoto/core/waker.hpp"
#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto {
class context;
}

namespace kyoto::detail {

struct task_header;
struct scheduler;

/// Tells the task's scheduler's panic hook (if any) that the task threw.
void report_task_panic(task_header* t, const std::exception_ptr& e) noexcept;

/// The operations that depend on the future's type.
struct task_vtable {
  /// Polls the future; true once it finished, its output (or the exception
  /// it threw) stored and the future destroyed.
  bool (*poll_future)(task_header*, context&);
  /// Destroys the future without finishing it and stores "cancelled".
  void (*cancel_future)(task_header*);
  /// Destroys the stored output that no join handle will read.
  void (*drop_output)(task_header*);
  /// Where the output (a std::optional<result<T, join_error>>) lives once
  /// the future is gone.
  void* (*output)(task_header*);
  /// Frees the cell (the future and output are already gone).
  void (*deallocate)(task_header*);
};

struct task_header {
  /// Bits 40..63 of `state` are outside the state protocol, set when the
  /// task is created and never changed: bits 40..47 hold a spawned
  /// task<T>'s block size code (spawned_task.hpp; cells leave them zero),
  /// bits 48..63 the id of the scheduler that owns the task (see
  /// task_owner in src/task/state.hpp): no pointer to it in the header.
  static constexpr unsigned frame_code_shift = 40;
  static constexpr unsigned owner_shift = 48;

  /// First, so that a frame prefix can tell whether it holds a header
  /// (non-null) without one being constructed (frame_prefix.hpp).
  const task_vtable* vtable;
  /// Bits and reference count, see src/task/state.hpp.
  atomic<std::uint64_t> state;
  /// Links in the owner's list of live tasks; guarded by that list's lock
  /// (the shard follows from the address). Both null and not the list's
  /// head: not in the list.
  task_header* owned_prev = nullptr;
  task_header* owned_next = nullptr;
  /// Where the waker of whoever awaits the join handle is kept: a small
  /// block the join handle allocates the first time it has to wait (most
  /// tasks are never awaited while running, and an idle task should not
  /// carry 16 bytes for it); the task frees it. The pointer and the waker
  /// are written by the join handle only while JOIN_WAKER is clear, and read
  /// by the completing thread only once COMPLETE and JOIN_WAKER are both set.
  waker* join_waker = nullptr;

  /// `initial` comes from task_initial_state (it carries the owner's id).
  task_header(std::uint64_t initial, const task_vtable* vt) noexcept : vtable(vt), state(initial) {}
  ~task_header() {
    if (join_waker) free_join_waker(join_waker);
  }
  task_header(const task_header&) = delete;
  task_header& operator=(const task_header&) = delete;

  /// The join handle's slot, allocated on first use (join handle only).
  waker& join_waker_slot();

 private:
  static void free_join_waker(waker* w) noexcept;
};

}  // namespace kyoto::detail
