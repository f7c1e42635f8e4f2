// The harness that drives a task through the transitions of its state word
// (state.hpp, where the protocol is described); the task's waker is in
// waker.cpp, the owner's list of live tasks in owned_tasks.cpp.
#include "kyoto/detail/task/harness.hpp"

#include <cassert>
#include <new>

#include "kyoto/detail/alloc/frame_allocator.hpp"
#include "kyoto/runtime/coop.hpp"
#include "runtime/scheduler/scheduler.hpp"
#include "task/state.hpp"
#include "task/waker.hpp"
#include "util/sync_primitives.hpp"

namespace kyoto::detail {

std::uint64_t task_initial_state(scheduler* s) noexcept {
  return 3 * state::ref_one | state::join_interest | state::notified |
         std::uint64_t{s->registration.id()} << task_header::owner_shift;
}

namespace {

// The runner holds RUNNING and one reference (the notification's, or the
// list's at shutdown); the future has finished or been cancelled.
void complete(task_header* t) {
  std::uint64_t before = state::transition_to_complete(t);
  if (!(before & state::join_interest)) {
    t->vtable->drop_output(t);  // nobody will read it
  } else if (before & state::join_waker) {
    t->join_waker->wake_by_ref();
  }
  std::uint64_t drop = task_owner(t)->owned.remove(t) ? 2 : 1;
  if (state::ref_dec(t, drop)) t->vtable->deallocate(t);
}

void cancel(task_header* t) {
  t->vtable->cancel_future(t);
  complete(t);
}

}  // namespace

void run_task(task_header* t) {
  switch (state::transition_to_running(t)) {
    case state::to_running::drop_ref:
      drop_task_reference(t);
      return;
    case state::to_running::cancel:
      cancel(t);
      return;
    case state::to_running::run:
      break;
  }
  bool done;
  {
    // A borrowed waker: it does not own a reference, so it is released
    // (not dropped) after the poll. Futures that keep it clone it.
    waker w = waker::from_raw(raw_waker{t, &task_waker_vtable});
    context cx(w);
    coop::budget_scope budget(coop::initial_budget);
    done = t->vtable->poll_future(t, cx);
    (void)std::move(w).into_raw();
  }
  if (done) {
    complete(t);
    return;
  }
  switch (state::transition_to_idle(t)) {
    case state::to_idle::ok:
      return;
    case state::to_idle::requeue:
      task_owner(t)->schedule_yield(t);
      return;
    case state::to_idle::cancel:
      cancel(t);
      return;
  }
}

void shutdown_task(task_header* t) {
  if (state::transition_to_shutdown(t)) {
    cancel(t);
  } else {
    drop_task_reference(t);
  }
}

void submit_new_task(task_header* t) {
  scheduler* owner = task_owner(t);
  if (!owner->owned.bind(t)) {
    // Shut down: run the cancellation now. We hold RUNNING after
    // transition_to_shutdown; the list reference was never taken, so drop
    // it here along with the notification's.
    bool acquired = state::transition_to_shutdown(t);
    assert(acquired);
    (void)acquired;
    t->vtable->cancel_future(t);
    std::uint64_t before = state::transition_to_complete(t);
    (void)before;
    state::ref_dec(t, 2);  // cannot be the last: the join handle holds one
    return;
  }
  owner->schedule(t);
}

bool join_poll(task_header* t, context& cx) {
  std::uint64_t s = t->state.load(std::memory_order_acquire);
  if (s & state::complete) return true;
  if (s & state::join_waker) {
    if (t->join_waker->will_wake(cx.waker())) return false;
    // Take the slot back to replace the waker (fails only on completion).
    std::uint64_t cur = s;
    for (;;) {
      if (cur & state::complete) return true;
      if (t->state.compare_exchange_weak(cur, cur & ~state::join_waker, std::memory_order_acq_rel,
                                         std::memory_order_acquire))
        break;
    }
  }
  t->join_waker_slot() = cx.waker();
  std::uint64_t cur = t->state.load(std::memory_order_acquire);
  for (;;) {
    if (cur & state::complete) {
      *t->join_waker = waker();  // ours again: the completer never saw it
      return true;
    }
    if (t->state.compare_exchange_weak(cur, cur | state::join_waker, std::memory_order_acq_rel,
                                       std::memory_order_acquire))
      return false;
  }
}

void join_drop(task_header* t) noexcept {
  bool completed = false;
  state::update(t, [&](std::uint64_t s) {
    completed = s & state::complete;
    std::uint64_t next = s & ~state::join_interest;
    if (!completed) next &= ~state::join_waker;  // the slot is ours again
    return next;
  });
  if (completed) {
    t->vtable->drop_output(t);
  } else if (t->join_waker) {
    *t->join_waker = waker();
  }
  drop_task_reference(t);
}

waker& task_header::join_waker_slot() {
  if (!join_waker) join_waker = ::new (frame_block_allocate(sizeof(waker))) waker();
  return *join_waker;
}

void task_header::free_join_waker(waker* w) noexcept {
  w->~waker();
  frame_block_deallocate(w, sizeof(waker));
}

void task_abort(task_header* t) noexcept {
  // From any thread, like a wake (registry.cpp): pin the owner first.
  owner_pin owner(task_owner_id(t));
  if (state::transition_to_notified_and_cancel(t)) submit_to_owner(owner, t);
}

void task_cancel_and_wait(task_header* t) noexcept {
  if (task_is_complete(t)) return;
  // The reference complete() drops as the runner's (the join handle keeps
  // its own). A queue that still holds the task finds it COMPLETE later
  // and only drops its reference (transition_to_running).
  state::ref_inc(t);
  if (state::transition_to_shutdown(t)) {
    cancel(t);  // we hold RUNNING: destroy the future here
    return;
  }
  // Complete already, or running elsewhere with CANCELLED now set: its
  // poll ends with the cancellation (transition_to_idle) or its value.
  drop_task_reference(t);
  while (!task_is_complete(t)) this_thread::yield();
}

bool task_is_complete(const task_header* t) noexcept {
  return t->state.load(std::memory_order_acquire) & state::complete;
}

void report_task_panic(task_header* t, const std::exception_ptr& e) noexcept {
  scheduler* owner = task_owner(t);
  if (owner && owner->panic_hook) {
    try {
      owner->panic_hook(e);
    } catch (...) {
      // A throwing hook must not take the worker down.
    }
  }
}

}  // namespace kyoto::detail
