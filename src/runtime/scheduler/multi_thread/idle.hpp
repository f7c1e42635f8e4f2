// idle: which workers are searching for work and which are asleep.
//
// state_ packs two counters: `searching` (low 16 bits), workers looking
// for work to steal, and `unparked` (high 16 bits), workers not asleep.
// sleepers_ lists the asleep workers by index; it and each worker's
// `sleeping` flag are guarded by lock_. state_ changes under lock_ when a
// worker parks or is unparked, and lock-free (CAS) when a worker starts or
// stops searching.
//
// The no-lost-wake-up argument (the rest lives in worker.cpp):
//   producer: make work visible; seq_cst fence; read state_; if nobody is
//             searching and someone sleeps, wake one sleeper.
//   parker:   announce sleep (state_ RMW under lock_); seq_cst fence; look
//             at every queue; if there is work, cancel the sleep.
// With both fences, either the producer sees the parker asleep (and wakes
// a sleeper, who will find the work) or the parker sees the work. A
// producer that sees a searcher relies on that searcher, which is itself
// bound by the same rule before it may sleep.
// At most half the workers search at once, so that a burst of wake-ups
// does not send every worker to hammer the others' queues.
#pragma once

#include <cstdint>
#include <vector>

#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {

class idle {
 public:
  explicit idle(std::uint32_t workers) : workers_(workers), state_(workers << 16) {
    sleepers_.reserve(workers);
    sleeping_.assign(workers, 0);
  }

  /// May this worker start searching? (at most half of them at once)
  bool try_start_searching() noexcept {
    std::uint32_t s = state_.load(std::memory_order_seq_cst);
    for (;;) {
      if (2 * searching(s) >= workers_) return false;
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_seq_cst)) return true;
    }
  }
  /// A searcher found work; true if it was the last searcher.
  bool stop_searching() noexcept { return searching(state_.fetch_sub(1)) == 1; }

  /// Worker `id` goes to sleep; true if it was the last searcher.
  bool park(std::uint32_t id, bool was_searching) {
    lock_guard lock(lock_);
    std::uint32_t dec = (1u << 16) + (was_searching ? 1u : 0u);
    std::uint32_t prev = state_.fetch_sub(dec, std::memory_order_seq_cst);
    sleepers_.push_back(id);
    sleeping_[id] = 1;
    return was_searching && searching(prev) == 1;
  }

  /// Cancels the sleep of `id` if nobody woke it yet (it becomes a
  /// searcher); false if it had been woken already.
  bool unpark_self(std::uint32_t id) {
    lock_guard lock(lock_);
    if (!sleeping_[id]) return false;
    for (auto it = sleepers_.begin(); it != sleepers_.end(); ++it) {
      if (*it == id) {
        sleepers_.erase(it);
        break;
      }
    }
    sleeping_[id] = 0;
    state_.fetch_add((1u << 16) + 1, std::memory_order_seq_cst);
    return true;
  }

  bool is_sleeping(std::uint32_t id) {
    lock_guard lock(lock_);
    return sleeping_[id];
  }

  /// Whether a producer should wake a sleeper (call after a seq_cst fence).
  bool should_notify() const noexcept {
    std::uint32_t s = state_.load(std::memory_order_seq_cst);
    return searching(s) == 0 && unparked(s) < workers_;
  }

  /// Picks a sleeper to wake (counted as unparked and searching); -1 if none.
  int take_sleeper() {
    lock_guard lock(lock_);
    std::uint32_t s = state_.load(std::memory_order_seq_cst);
    if (searching(s) != 0 || sleepers_.empty()) return -1;
    std::uint32_t id = sleepers_.back();
    sleepers_.pop_back();
    sleeping_[id] = 0;
    state_.fetch_add((1u << 16) + 1, std::memory_order_seq_cst);
    return static_cast<int>(id);
  }

 private:
  static std::uint32_t searching(std::uint32_t s) noexcept { return s & 0xffff; }
  static std::uint32_t unparked(std::uint32_t s) noexcept { return s >> 16; }

  const std::uint32_t workers_;
  atomic<std::uint32_t> state_;
  mutex lock_;
  std::vector<std::uint32_t> sleepers_;  // guarded by lock_
  std::vector<char> sleeping_;           // guarded by lock_, by worker id
};

}  // namespace kyoto::detail
