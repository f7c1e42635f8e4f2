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

#include <cassert>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "kyoto/detail/task/cell.hpp"
#include "runtime/scheduler/scheduler.hpp"

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
inline to_running transition_to_running(task_header* t) noexcept;
/// By the runner after a pending poll. On `ok` the notification's
/// reference was dropped; on `requeue` it is kept for the new queue entry.
inline to_idle transition_to_idle(task_header* t) noexcept;
/// By the runner after the future finished; returns the state before.
inline std::uint64_t transition_to_complete(task_header* t) noexcept;
/// wake_by_ref: submit means "queue it, a reference was added".
inline to_notified transition_to_notified_by_ref(task_header* t) noexcept;
/// wake (consumes the waker's reference): submit means "queue it with that
/// reference"; dealloc means the last reference is gone.
inline to_notified transition_to_notified_by_val(task_header* t) noexcept;
/// abort(): submit means "queue it (a reference was added) so that it is
/// cancelled by whoever polls it next".
inline bool transition_to_notified_and_cancel(task_header* t) noexcept;
/// Shutdown: sets CANCELLED; true if the caller now owns the task
/// (set RUNNING on an idle task) and must cancel it.
inline bool transition_to_shutdown(task_header* t) noexcept;

inline void ref_inc(task_header* t) noexcept;
/// True when this was the last reference.
inline bool ref_dec(task_header* t, std::uint64_t count = 1) noexcept;

// The transitions (inline: the harness and the waker run them on every
// poll and wake).

template <class F>
inline std::uint64_t update(task_header* t, F&& f) noexcept {
  std::uint64_t cur = t->state.load(std::memory_order_acquire);
  for (;;) {
    std::uint64_t next = f(cur);
    if (next == cur) return cur;
    if (t->state.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                       std::memory_order_acquire))
      return cur;
  }
}

inline void ref_inc(task_header* t) noexcept {
  std::uint64_t prev = t->state.fetch_add(ref_one, std::memory_order_relaxed);
  // 2^34 references (waker clones) would carry into the owner's bits.
  if (refs(prev) >= (std::uint64_t{1} << 33)) [[unlikely]] {
    std::fputs("kyoto: task reference count overflow\n", stderr);
    std::abort();
  }
}

inline bool ref_dec(task_header* t, std::uint64_t count) noexcept {
  std::uint64_t prev = t->state.fetch_sub(count * ref_one, std::memory_order_acq_rel);
  assert(refs(prev) >= count);
  return refs(prev) == count;
}

inline to_running transition_to_running(task_header* t) noexcept {
  to_running action = to_running::run;
  update(t, [&](std::uint64_t s) {
    assert(s & notified);
    if (s & (running | complete)) {
      action = to_running::drop_ref;
      return s;
    }
    action = (s & cancelled) ? to_running::cancel : to_running::run;
    return (s | running) & ~notified;
  });
  return action;
}

inline to_idle transition_to_idle(task_header* t) noexcept {
  to_idle action = to_idle::ok;
  update(t, [&](std::uint64_t s) {
    assert(s & running);
    if (s & cancelled) {
      action = to_idle::cancel;
      return s;
    }
    std::uint64_t next = s & ~running;
    if (s & notified) {
      action = to_idle::requeue;  // keep our reference for the new queue entry
      return next;
    }
    action = to_idle::ok;
    return next - ref_one;  // the notification's reference goes away
  });
  return action;
}

inline std::uint64_t transition_to_complete(task_header* t) noexcept {
  return t->state.fetch_xor(running | complete, std::memory_order_acq_rel);
}

inline to_notified transition_to_notified_by_ref(task_header* t) noexcept {
  to_notified action = to_notified::nothing;
  update(t, [&](std::uint64_t s) {
    if (s & (complete | notified)) {
      action = to_notified::nothing;
      return s;
    }
    if (s & running) {
      action = to_notified::nothing;
      return s | notified;
    }
    action = to_notified::submit;
    return (s | notified) + ref_one;
  });
  return action;
}

inline to_notified transition_to_notified_by_val(task_header* t) noexcept {
  to_notified action = to_notified::nothing;
  update(t, [&](std::uint64_t s) {
    if (s & running) {
      action = to_notified::nothing;
      return (s | notified) - ref_one;
    }
    if (s & (complete | notified)) {
      action = refs(s) == 1 ? to_notified::dealloc : to_notified::nothing;
      return s - ref_one;
    }
    action = to_notified::submit;  // the waker's reference becomes the queue's
    return s | notified;
  });
  return action;
}

inline bool transition_to_notified_and_cancel(task_header* t) noexcept {
  bool submit = false;
  update(t, [&](std::uint64_t s) {
    submit = false;
    if (s & (complete | cancelled)) return s;
    if (s & running) return s | cancelled | notified;
    if (s & notified) return s | cancelled;
    submit = true;
    return (s | cancelled | notified) + ref_one;
  });
  return submit;
}

inline bool transition_to_shutdown(task_header* t) noexcept {
  bool acquired = false;
  update(t, [&](std::uint64_t s) {
    acquired = !(s & (running | complete));
    std::uint64_t next = s | cancelled;
    if (acquired) next |= running;
    return next;
  });
  return acquired;
}

}  // namespace kyoto::detail::state

namespace kyoto::detail {

/// The id of the scheduler that owns t, from the state word's top bits
/// (written before the task was shared; never changes).
inline std::uint16_t task_owner_id(const task_header* t) noexcept {
  return static_cast<std::uint16_t>(t->state.load(std::memory_order_relaxed) >>
                                    task_header::owner_shift);
}

/// The scheduler that owns t. Only for code that runs while the owner is
/// known to be alive (its workers, its shutdown); a wake from anywhere
/// else goes through owner_pin (scheduler.hpp).
inline scheduler* task_owner(const task_header* t) noexcept {
  return scheduler_by_id(task_owner_id(t));
}

/// Polls (or cancels) a task whose notification the caller holds; runs the
/// whole protocol above, including queueing it again.
void run_task(task_header* t);
/// Shutdown of a task taken from the owner's list (the caller hands over
/// the list's reference).
void shutdown_task(task_header* t);
/// Drops one reference; frees the cell if it was the last.
inline void drop_task_reference(task_header* t) noexcept {
  if (state::ref_dec(t)) t->vtable->deallocate(t);
}

}  // namespace kyoto::detail
