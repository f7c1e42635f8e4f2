// What every scheduler provides to the task harness, and the list of a
// scheduler's live tasks (so that shutdown can cancel every one of them).
//
// owned_tasks: sharded intrusive lists. A task is linked in at spawn (bind)
// and unlinked when it completes (remove) or at shutdown (close_and_take).
// The links (owned_prev/next/owned) of a task are guarded by its shard's
// lock. Once closed, bind fails, so no task can slip in after shutdown
// started; the closed flag is written under every shard lock and read
// under one, so bind and close cannot interleave badly.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>

#include "kyoto/detail/task/cell.hpp"

namespace kyoto::detail {

class owned_tasks {
 public:
  /// Links t in; false if the list is closed (the runtime is shutting down).
  bool bind(task_header* t);
  /// Unlinks t if it is still linked; true if it was (the caller then owns
  /// the list's reference).
  bool remove(task_header* t);
  /// Closes the list and unlinks every task; calls fn(t) for each, outside
  /// the locks, handing over the list's reference.
  void close_and_take_all(const std::function<void(task_header*)>& fn);
  bool is_closed() const noexcept { return closed_.load(std::memory_order_acquire); }

 private:
  static constexpr std::size_t shard_count = 16;
  struct alignas(64) shard {
    std::mutex lock;
    task_header* head = nullptr;
  };
  shard& shard_of(task_header* t) noexcept;
  std::array<shard, shard_count> shards_;
  std::atomic<bool> closed_{false};
};

struct scheduler;

struct scheduler_vtable {
  /// Queues t to be polled. The caller hands over one reference (the
  /// notified reference). is_yield: the task yielded and should go to the
  /// back of the queue rather than run next.
  void (*schedule)(scheduler*, task_header* t, bool is_yield);
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
extern std::atomic<scheduler*> scheduler_slots[std::size_t{1} << 16];

/// The live scheduler with this id.
inline scheduler* scheduler_by_id(std::uint16_t id) noexcept {
  return scheduler_slots[id].load(std::memory_order_acquire);
}

struct scheduler {
  const scheduler_vtable* vtable;
  owned_tasks owned;
  std::function<void(const std::exception_ptr&)> panic_hook;
  scheduler_registration registration{this};

  void schedule(task_header* t, bool is_yield) { vtable->schedule(this, t, is_yield); }
};

}  // namespace kyoto::detail
