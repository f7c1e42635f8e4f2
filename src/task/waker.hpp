// The waker of a spawned task (waker.cpp). Its data pointer is the task's
// header; a clone holds a reference to the task, and wake (by value)
// consumes it. The state transitions it runs are in state.hpp.
#pragma once

#include "kyoto/core/waker.hpp"

namespace kyoto::detail {

/// The vtable of every task's waker. The harness lends the task a waker
/// built on it for each poll, without a reference of its own.
extern const waker_vtable task_waker_vtable;

class owner_pin;
struct task_header;
/// Queues t (holding its notification's reference) on its pinned owner, or
/// drops that reference if the owner has retired (the task is then complete
/// and nobody runs it again).
void submit_to_owner(const owner_pin& owner, task_header* t) noexcept;

}  // namespace kyoto::detail
