// Scheduler ids (scheduler.hpp): a fixed table indexed by id, written when
// a scheduler is created or retired (under the mutex) and read by tasks
// without a lock. The slot was written before any task of the scheduler
// existed (the spawn that created the task happens after the scheduler's
// construction).
//
// Wakes that outlive the runtime. A waker may be kept anywhere (another
// runtime, a plain thread, a callback) and fire at any moment, including
// while the runtime is being destroyed. Such a wake must either reach a
// scheduler that is still whole or do nothing. The protocol:
//
//   waker (owner_pin, then the task's transition):
//     W1  foreign_wakes += 1                       (seq_cst RMW)
//     W2  the task's state transition               (acq_rel RMW)
//     W3  if it says "queue it": s = live (seq_cst); s ? s->schedule(t)
//                                                : drop the reference
//     W4  foreign_wakes -= 1                       (release)
//   retire (end of the scheduler's shutdown; every task is complete):
//     R1  live = null                              (seq_cst)
//     R2  until foreign_wakes.fetch_add(0) == 0: yield   (seq_cst RMW)
//     then the queues may be destroyed and the id reused.
//
// Why it is safe. The RMWs on foreign_wakes are totally ordered. If W1
// comes before R2's last RMW, R2 saw it and waited for W4, whose release
// the RMW that reads 0 acquires: the whole wake, including schedule(),
// happened before the queues go. If W1 comes after, it reads from R2's
// RMW (a release) and so acquires everything before it: every task's
// COMPLETE bit, written during shutdown, so W2 finds the task complete and
// does nothing; W3 is never reached, and a new scheduler that reuses the
// id is never touched. The pin is taken before W2 because a pin taken
// after it would leave a window in which the transition said "queue it"
// and the id was then retired and reused: the task would be queued on a
// stranger.
//
// The scheduler's own threads skip the counter: a thread running the
// scheduler's tasks (tl_running_scheduler) cannot race with its retirement,
// which happens after the workers are joined (multi-thread) or on the
// driving thread itself (current-thread). Comparing the slot's pointer with
// tl_running_scheduler is safe even if the slot changes meanwhile: equal
// means the thread is inside that live scheduler.
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "kyoto/detail/sync_primitives.hpp"
#include "runtime/scheduler/scheduler.hpp"
#include "util/sync_primitives.hpp"

namespace kyoto::detail {
namespace {

constexpr std::size_t max_ids = std::size_t{1} << 16;

// Who holds which id; touched only when a scheduler is created or destroyed.
struct registry {
  mutex lock;
  std::vector<std::uint16_t> free_ids;  // guarded by lock
  std::uint32_t next_unused = 1;        // guarded by lock; id 0 is never given
};

registry& the_registry() {
  static registry* r = new registry;  // never destroyed: schedulers may outlive statics
  return *r;
}

}  // namespace

constinit scheduler_slot scheduler_slots[max_ids]{};
constinit thread_local scheduler* tl_running_scheduler = nullptr;

scheduler_registration::scheduler_registration(scheduler* s) {
  registry& r = the_registry();
  lock_guard lock(r.lock);
  if (!r.free_ids.empty()) {
    id_ = r.free_ids.back();
    r.free_ids.pop_back();
  } else if (r.next_unused < max_ids) {
    id_ = static_cast<std::uint16_t>(r.next_unused++);
  } else {
    throw std::runtime_error("kyoto: more than 65,535 runtimes exist at once");
  }
  scheduler_slot& slot = scheduler_slots[id_];
  generation_ = slot.generation.load(std::memory_order_relaxed) + 1;
  slot.generation.store(generation_, std::memory_order_relaxed);
  slot.live.store(s, std::memory_order_release);
}

void scheduler_registration::retire() noexcept {
  if (retired_) return;
  retired_ = true;
  scheduler_slot& slot = scheduler_slots[id_];
  slot.live.store(nullptr, std::memory_order_seq_cst);
  while (slot.foreign_wakes.fetch_add(0, std::memory_order_seq_cst) != 0) this_thread::yield();
}

scheduler_registration::~scheduler_registration() {
  retire();
  registry& r = the_registry();
  lock_guard lock(r.lock);
  r.free_ids.push_back(id_);
}

}  // namespace kyoto::detail
