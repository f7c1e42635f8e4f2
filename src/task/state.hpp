// The state word of a spawned task, and every transition on it.
//
// Bits of task_header::state (one 64-bit atomic):
//   RUNNING        a thread is polling (or cancelling) the task; only that
//                  thread touches the future and the output slot.
//   COMPLETE       the future is gone and the output slot holds the result
//                  (value, panic or cancelled). Never cleared.
//   NOTIFIED       a notification for the task exists: either the task sits
//                  in a run queue (that queue entry holds a reference), or
//                  it was woken while RUNNING and its runner will queue it
//                  again when the poll ends.
//   JOIN_INTEREST  the join handle still exists.
//   JOIN_WAKER     the join_waker slot holds a waker the completer must
//                  wake. While clear, the join handle owns the slot; while
//                  set, the slot is read-only for both until COMPLETE, and
//                  then the completer's.
//   CANCELLED      abort() or shutdown asked for cancellation.
//   bits 6..39     reference count (34 bits). References: the owner's task
//                  list, the join handle, each waker clone, and the
//                  notification.
//   bits 40..63    not part of the protocol, never changed: a spawned
//                  task<T>'s frame size code and the owner scheduler's id
//                  (task_header::frame_code_shift, owner_shift).
//
// Rules that keep wake-ups from being lost or doubled:
//   - A wake on an idle task sets NOTIFIED and queues it exactly once (the
//     CAS that sets NOTIFIED decides who queues). A wake on a NOTIFIED or
//     COMPLETE task does nothing more.
//   - A wake while RUNNING only sets NOTIFIED; the runner sees it in
//     transition_to_idle (same word, CAS) and queues the task again. So a
//     wake that races with the end of a poll is never lost, and a task is
//     never in two queues nor polled by two threads.
//   - transition_to_running clears NOTIFIED before the poll starts, so a
//     wake during the poll is a new notification.
// Orderings: every transition is a CAS or RMW with acq_rel, so what a
// thread wrote to the cell before a transition is visible to the thread
// that observes that transition (output before COMPLETE, waker slot before
// JOIN_WAKER). Reference increments are relaxed (the caller already holds a
// reference); decrements are acq_rel so the deallocating thread sees every
// earlier use.
#pragma once

#include <cstdint>

#include "kyoto/detail/task/cell.hpp"

namespace kyoto::detail::state {

inline constexpr std::uint64_t running = 1u << 0;
inline constexpr std::uint64_t complete = 1u << 1;
inline constexpr std::uint64_t notified = 1u << 2;
inline constexpr std::uint64_t join_interest = 1u << 3;
inline constexpr std::uint64_t join_waker = 1u << 4;
inline constexpr std::uint64_t cancelled = 1u << 5;
inline constexpr std::uint64_t ref_one = 1u << 6;
inline constexpr std::uint64_t flag_mask = ref_one - 1;

inline std::uint64_t refs(std::uint64_t s) noexcept {
  return (s >> 6) & ((std::uint64_t{1} << (task_header::frame_code_shift - 6)) - 1);
}

enum class to_running { run, cancel, drop_ref };
enum class to_idle { ok, requeue, cancel };
enum class to_notified { nothing, submit, dealloc };

/// By the holder of a notification, before polling.
to_running transition_to_running(task_header* t) noexcept;
/// By the runner after a pending poll. On `ok` the notification's
/// reference was dropped; on `requeue` it is kept for the new queue entry.
to_idle transition_to_idle(task_header* t) noexcept;
/// By the runner after the future finished; returns the state before.
std::uint64_t transition_to_complete(task_header* t) noexcept;
/// wake_by_ref: submit means "queue it, a reference was added".
to_notified transition_to_notified_by_ref(task_header* t) noexcept;
/// wake (consumes the waker's reference): submit means "queue it with that
/// reference"; dealloc means the last reference is gone.
to_notified transition_to_notified_by_val(task_header* t) noexcept;
/// abort(): submit means "queue it (a reference was added) so that it is
/// cancelled by whoever polls it next".
bool transition_to_notified_and_cancel(task_header* t) noexcept;
/// Shutdown: sets CANCELLED; true if the caller now owns the task
/// (set RUNNING on an idle task) and must cancel it.
bool transition_to_shutdown(task_header* t) noexcept;

void ref_inc(task_header* t) noexcept;
/// True when this was the last reference.
bool ref_dec(task_header* t, std::uint64_t count = 1) noexcept;

}  // namespace kyoto::detail::state

namespace kyoto::detail {

/// Polls (or cancels) a task whose notification the caller holds; runs the
/// whole protocol above, including queueing it again.
void run_task(task_header* t);
/// Shutdown of a task taken from the owner's list (the caller hands over
/// the list's reference).
void shutdown_task(task_header* t);
/// Drops one reference; frees the cell if it was the last.
void drop_task_reference(task_header* t) noexcept;

}  // namespace kyoto::detail
