// The list of a scheduler's live tasks, so that shutdown can cancel every
// one of them.
//
// owned_tasks: sharded intrusive lists. A task is linked in at spawn (bind)
// and unlinked when it completes (remove) or at shutdown (close_and_take).
// The links (owned_prev/next/owned) of a task are guarded by its shard's
// lock. Once closed, bind fails, so no task can slip in after shutdown
// started; the closed flag is written under every shard lock and read
// under one, so bind and close cannot interleave badly.
#pragma once

#include <array>
#include <cstddef>
#include <functional>

#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/detail/task/header.hpp"

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
  /// How many tasks are linked now (a snapshot: each shard is read under
  /// its lock, one after the other).
  std::size_t size() const;

 private:
  static constexpr std::size_t shard_count = 16;
  struct alignas(64) shard {
    mutable mutex lock;
    task_header* head = nullptr;
    std::size_t count = 0;  // tasks linked here
  };
  shard& shard_of(task_header* t) noexcept;
  std::array<shard, shard_count> shards_;
  atomic<bool> closed_{false};
};

}  // namespace kyoto::detail
