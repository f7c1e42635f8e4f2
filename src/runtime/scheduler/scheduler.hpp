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
/// after the scheduler is retired (by then every one of its tasks is
/// complete, so none of them looks it up again). At most 65,535 schedulers
/// exist at once.
class scheduler_registration {
 public:
  explicit scheduler_registration(scheduler* s);
  ~scheduler_registration();
  scheduler_registration(const scheduler_registration&) = delete;
  scheduler_registration& operator=(const scheduler_registration&) = delete;
  std::uint16_t id() const noexcept { return id_; }
  /// Which holder of the id this is: the slot's count of registrations,
  /// so that something kept past the scheduler's life (a waker) can tell
  /// it from a later scheduler with the same id.
  std::uint64_t generation() const noexcept { return generation_; }

  /// Called at the end of the scheduler's shutdown, while its queues still
  /// exist: clears the id's slot and waits for the wakes from other threads
  /// that are still using it (owner_pin). After it returns no wake reaches
  /// the scheduler. Idempotent; the destructor calls it too.
  void retire() noexcept;

 private:
  std::uint16_t id_;
  std::uint64_t generation_;
  bool retired_ = false;
};

/// One entry of the id table (registry.cpp, where the protocol is).
struct scheduler_slot {
  atomic<scheduler*> live{nullptr};
  /// Wakes from threads outside the scheduler that may still use `live`.
  atomic<std::uint32_t> foreign_wakes{0};
  /// Registrations so far; written before `live` (release), so a reader
  /// that saw `live` non-null under a pin reads the current holder's.
  atomic<std::uint64_t> generation{0};
};

/// Live schedulers by id. Zero-initialised at load time, so the table costs
/// no memory until ids are used (a page per 256 ids).
extern scheduler_slot scheduler_slots[std::size_t{1} << 16];

/// The scheduler whose tasks this thread runs right now: set by a
/// multi-thread worker for its whole life, and by a current-thread
/// scheduler while it drives (block_on, shutdown). Null elsewhere.
extern constinit thread_local scheduler* tl_running_scheduler;

/// The live scheduler with this id.
inline scheduler* scheduler_by_id(std::uint16_t id) noexcept {
  return scheduler_slots[id].live.load(std::memory_order_acquire);
}

/// Keeps the scheduler with id `id` from being retired while the holder
/// wakes one of its tasks; taken BEFORE the task's state transition, so
/// that a wake either finishes before the scheduler retires or starts after
/// every task is complete (registry.cpp). On the scheduler's own threads it
/// costs two loads and no write.
class owner_pin {
 public:
  explicit owner_pin(std::uint16_t id) noexcept : slot_(&scheduler_slots[id]) {
    scheduler* s = slot_->live.load(std::memory_order_acquire);
    if (s != nullptr && s == tl_running_scheduler) {
      local_ = s;
      return;
    }
    slot_->foreign_wakes.fetch_add(1, std::memory_order_seq_cst);
  }
  ~owner_pin() {
    if (!local_) slot_->foreign_wakes.fetch_sub(1, std::memory_order_release);
  }
  owner_pin(const owner_pin&) = delete;
  owner_pin& operator=(const owner_pin&) = delete;

  /// The scheduler, or null once it has retired.
  scheduler* get() const noexcept {
    return local_ ? local_ : slot_->live.load(std::memory_order_seq_cst);
  }

 private:
  scheduler_slot* slot_;
  scheduler* local_ = nullptr;
};

struct scheduler {
  const scheduler_vtable* vtable;
  owned_tasks owned;
  std::function<void(const std::exception_ptr&)> panic_hook;
  scheduler_registration registration{this};

  void schedule(task_header* t) { vtable->schedule(this, t); }
  void schedule_yield(task_header* t) { vtable->schedule_yield(this, t); }
};

}  // namespace kyoto::detail
