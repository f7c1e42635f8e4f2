// Scheduler ids (scheduler.hpp): a fixed table indexed by id, written when
// a scheduler is created or destroyed (under the mutex) and read by tasks
// without a lock. A task reads its owner's slot only while the owner is
// alive (the runtime outlives every task it has not completed), and the
// slot was written before the task existed (the spawn that created the
// task happens after the scheduler's construction).
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "kyoto/detail/sync_primitives.hpp"
#include "runtime/scheduler/scheduler.hpp"

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

constinit atomic<scheduler*> scheduler_slots[max_ids]{};

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
  scheduler_slots[id_].store(s, std::memory_order_release);
}

scheduler_registration::~scheduler_registration() {
  registry& r = the_registry();
  lock_guard lock(r.lock);
  scheduler_slots[id_].store(nullptr, std::memory_order_relaxed);
  r.free_ids.push_back(id_);
}

}  // namespace kyoto::detail
