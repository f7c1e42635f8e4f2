// What every scheduler provides to the task harness: a way to queue a
// task, the list of its live tasks (src/task/owned_tasks.hpp), a panic
// hook, and an id that tasks keep instead of a pointer.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>

#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/detail/task/cell.hpp"
#include "task/owned_tasks.hpp"

namespace kyoto::detail {

struct scheduler;

struct scheduler_vtable {
  /// Queues t to be polled. The caller hands over one reference (the
  /// notified reference).
  void (*schedule)(scheduler*, task_header* t);
  /// The same for a task that yielded (it was woken while it ran): it goes
  /// to the back of the queue rather than run next. A scheduler without a
  /// "run next" slot puts the same function in both entries.
  void (*schedule_yield)(scheduler*, task_header* t);
};

/// Gives a scheduler a 16-bit id for as long as it lives: tasks keep their
/// owner's id in their state word instead of a pointer. Ids are reused
/// after the scheduler is gone (by then none of its tasks looks it up: they
/// are all complete). At most 65,535 schedulers exist at once.
class scheduler_registration {
 public:
  explicit scheduler_registration(scheduler* s);
  ~scheduler_registration();
  scheduler_registration(const scheduler_registration&) = delete;
  scheduler_registration& operator=(const scheduler_registration&) = delete;
  std::uint16_t id() const noexcept { return id_; }

 private:
  std::uint16_t id_;
};

/// Live schedulers by id (registry.cpp). Zero-initialised at load time, so
/// the table costs no memory until ids are used (a page per 512 ids).
extern atomic<scheduler*> scheduler_slots[std::size_t{1} << 16];

/// The live scheduler with this id.
inline scheduler* scheduler_by_id(std::uint16_t id) noexcept {
  return scheduler_slots[id].load(std::memory_order_acquire);
}

struct scheduler {
  const scheduler_vtable* vtable;
  owned_tasks owned;
  std::function<void(const std::exception_ptr&)> panic_hook;
  scheduler_registration registration{this};

  void schedule(task_header* t) { vtable->schedule(this, t); }
  void schedule_yield(task_header* t) { vtable->schedule_yield(this, t); }
};

}  // namespace kyoto::detail
