#include "task/owned_tasks.hpp"

#include <cstdint>

#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {

// Spread by address: no shared counter to contend on, and no field in the
// task to remember the shard by.
owned_tasks::shard& owned_tasks::shard_of(task_header* t) noexcept {
  return shards_[(reinterpret_cast<std::uintptr_t>(t) >> 8) % shard_count];
}

bool owned_tasks::bind(task_header* t) {
  shard& sh = shard_of(t);
  lock_guard lock(sh.lock);
  if (closed_.load(std::memory_order_relaxed)) return false;
  t->owned_prev = nullptr;
  t->owned_next = sh.head;
  if (sh.head) sh.head->owned_prev = t;
  sh.head = t;
  ++sh.count;
  return true;
}

bool owned_tasks::remove(task_header* t) {
  shard& sh = shard_of(t);
  lock_guard lock(sh.lock);
  if (!t->owned_prev && sh.head != t) return false;
  if (t->owned_prev) {
    t->owned_prev->owned_next = t->owned_next;
  } else {
    sh.head = t->owned_next;
  }
  if (t->owned_next) t->owned_next->owned_prev = t->owned_prev;
  t->owned_prev = t->owned_next = nullptr;
  --sh.count;
  return true;
}

std::size_t owned_tasks::size() const {
  std::size_t n = 0;
  for (const auto& sh : shards_) {
    lock_guard lock(sh.lock);
    n += sh.count;
  }
  return n;
}

void owned_tasks::close_and_take_all(const std::function<void(task_header*)>& fn) {
  for (auto& sh : shards_) sh.lock.lock();
  closed_.store(true, std::memory_order_release);
  for (auto& sh : shards_) sh.lock.unlock();
  // Cancelling a task may complete others or drop join handles, which take
  // shard locks: take one task at a time, call fn unlocked.
  for (auto& sh : shards_) {
    for (;;) {
      task_header* t;
      {
        lock_guard lock(sh.lock);
        t = sh.head;
        if (!t) break;
        sh.head = t->owned_next;
        if (sh.head) sh.head->owned_prev = nullptr;
        t->owned_prev = t->owned_next = nullptr;
        --sh.count;
      }
      fn(t);
    }
  }
}

}  // namespace kyoto::detail
