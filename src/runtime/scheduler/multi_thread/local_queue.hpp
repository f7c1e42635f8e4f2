// local_queue: a worker's bounded run queue. The owner pushes at the tail
// and pops at the head; other workers steal half of it from the head.
//
// Fields:
//   buffer_[i]  written by the owner (push), read by the owner (pop) and by
//               a stealer while it copies; relaxed atomics, ordered by the
//               head/tail accesses below.
//   tail_       written only by the owner (release), read by stealers
//               (acquire): slots before tail_ are filled.
//   head_       two 32-bit positions packed in one word: `steal` (low
//               half) and `real` (high half). Slots in [steal, real) are
//               being copied by a stealer and may not be overwritten;
//               slots in [real, tail) are queued. steal == real when no
//               stealer is active. Changed only by CAS.
// Owner pop: CAS real -> real+1 (and steal with it when equal).
// Steal, in two phases: (1) CAS real -> real+n with steal left behind,
// claiming n slots (at most one stealer at a time: others see steal !=
// real and give up); copy them into the stealer's own queue; (2) CAS
// steal -> real, releasing the slots to the owner.
// Owner push: room exists while tail - steal < capacity. When full and no
// stealer is active, half of the queue plus the new task move to the
// injection queue (claimed by a CAS of head, like a pop of many).
// Positions are u32 and wrap; only differences are used.
#pragma once

#include <array>
#include <cstdint>

#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/detail/task/cell.hpp"
#include "runtime/scheduler/inject_queue.hpp"
#include "task/state.hpp"

namespace kyoto::detail {

class local_queue {
 public:
  static constexpr std::uint32_t capacity = 256;
  static constexpr std::uint32_t mask = capacity - 1;

  /// Owner only. Overflow goes to `inject`; if that is closed (shutdown)
  /// the tasks' notification references are dropped.
  void push_back(task_header* t, inject_queue& inject) {
    for (;;) {
      std::uint64_t h = head_.load(std::memory_order_acquire);
      std::uint32_t steal = lo(h), real = hi(h);
      std::uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (tail - steal < capacity) {
        buffer_[tail & mask].store(t, std::memory_order_relaxed);
        tail_.store(tail + 1, std::memory_order_release);
        return;
      }
      if (steal != real) {  // a stealer will free room soon
        if (!inject.push(t)) drop_task_reference(t);
        return;
      }
      if (push_overflow(t, real, inject)) return;
      // Lost a race with a stealer: retry.
    }
  }

  /// Owner only.
  task_header* pop() {
    std::uint64_t h = head_.load(std::memory_order_acquire);
    for (;;) {
      std::uint32_t steal = lo(h), real = hi(h);
      std::uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (real == tail) return nullptr;
      std::uint32_t next_real = real + 1;
      std::uint64_t next = steal == real ? pack(next_real, next_real) : pack(steal, next_real);
      if (head_.compare_exchange_weak(h, next, std::memory_order_acq_rel,
                                      std::memory_order_acquire))
        return buffer_[real & mask].load(std::memory_order_relaxed);
    }
  }

  /// By another worker, into its own queue `dst` (which must have room
  /// for half of a full queue). Returns one stolen task to run now.
  task_header* steal_into(local_queue& dst) {
    std::uint32_t dst_tail = dst.tail_.load(std::memory_order_relaxed);
    std::uint32_t dst_steal = lo(dst.head_.load(std::memory_order_acquire));
    if (dst_tail - dst_steal > capacity / 2) return nullptr;

    // Phase 1: claim n slots.
    std::uint64_t h = head_.load(std::memory_order_acquire);
    std::uint32_t first, n;
    for (;;) {
      std::uint32_t steal = lo(h), real = hi(h);
      if (steal != real) return nullptr;  // another stealer is at work
      std::uint32_t tail = tail_.load(std::memory_order_acquire);
      n = tail - real;
      n -= n / 2;
      if (n == 0) return nullptr;
      if (head_.compare_exchange_weak(h, pack(steal, real + n), std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        first = real;
        break;
      }
    }
    // Copy into our own queue (we are its only writer).
    for (std::uint32_t i = 0; i < n; ++i) {
      task_header* t = buffer_[(first + i) & mask].load(std::memory_order_relaxed);
      dst.buffer_[(dst_tail + i) & mask].store(t, std::memory_order_relaxed);
    }
    // Phase 2: release the slots to the owner.
    h = head_.load(std::memory_order_acquire);
    for (;;) {
      std::uint32_t real = hi(h);
      if (head_.compare_exchange_weak(h, pack(real, real), std::memory_order_acq_rel,
                                      std::memory_order_acquire))
        break;
    }
    // Keep the last one to run; publish the others.
    --n;
    task_header* ret = dst.buffer_[(dst_tail + n) & mask].load(std::memory_order_relaxed);
    if (n > 0) dst.tail_.store(dst_tail + n, std::memory_order_release);
    return ret;
  }

  /// Approximate, for "is there work anywhere?" checks by other threads.
  bool is_empty() const noexcept {
    std::uint32_t real = hi(head_.load(std::memory_order_acquire));
    return tail_.load(std::memory_order_acquire) == real;
  }

 private:
  static std::uint32_t lo(std::uint64_t v) noexcept { return static_cast<std::uint32_t>(v); }
  static std::uint32_t hi(std::uint64_t v) noexcept { return static_cast<std::uint32_t>(v >> 32); }
  static std::uint64_t pack(std::uint32_t steal, std::uint32_t real) noexcept {
    return (static_cast<std::uint64_t>(real) << 32) | steal;
  }

  bool push_overflow(task_header* t, std::uint32_t real, inject_queue& inject) {
    constexpr std::uint32_t n = capacity / 2;
    std::uint64_t expected = pack(real, real);
    if (!head_.compare_exchange_strong(expected, pack(real + n, real + n),
                                       std::memory_order_acq_rel, std::memory_order_acquire))
      return false;
    task_header* batch[n + 1];
    for (std::uint32_t i = 0; i < n; ++i)
      batch[i] = buffer_[(real + i) & mask].load(std::memory_order_relaxed);
    batch[n] = t;
    if (!inject.push_batch(batch, n + 1)) {
      // Closed (shutdown): nobody will run them; drop their references.
      for (task_header* c : batch) drop_task_reference(c);
    }
    return true;
  }

  alignas(64) atomic<std::uint64_t> head_{0};
  alignas(64) atomic<std::uint32_t> tail_{0};
  std::array<atomic<task_header*>, capacity> buffer_{};
};

}  // namespace kyoto::detail
