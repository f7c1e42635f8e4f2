// The task operations that templates (spawn, join_handle) call; they are
// implemented in src/task/ next to the state machine.
#pragma once

#include <cstdint>

#include "kyoto/core/context.hpp"
#include "kyoto/detail/task/cell.hpp"

namespace kyoto::detail {

/// The state a new task of scheduler s starts in: three references (the
/// owner's list, the join handle, the first notification), join interest,
/// notified, and s's id.
std::uint64_t task_initial_state(scheduler* s) noexcept;

/// Registers a new task with its scheduler and schedules its first poll.
/// If the scheduler is shut down, the task is cancelled at once instead.
void submit_new_task(task_header* t);

/// Join handle side. True when the task has completed and the output may be
/// read; otherwise cx's waker is registered to be woken on completion.
bool join_poll(task_header* t, context& cx);
/// The join handle goes away: drops the output if the task completed
/// (nobody else will read it) and the handle's reference.
void join_drop(task_header* t) noexcept;
/// Requests cancellation; harmless after completion.
void task_abort(task_header* t) noexcept;
bool task_is_complete(const task_header* t) noexcept;
/// Cancels t before returning (kyoto::scope's destructor): now, on this
/// thread, if it is idle or queued; if it is being polled on another
/// thread, that thread cancels it when the poll ends, and this waits for
/// it. The caller holds a reference (its join handle). Never call it from
/// inside t's own poll.
void task_cancel_and_wait(task_header* t) noexcept;

}  // namespace kyoto::detail
