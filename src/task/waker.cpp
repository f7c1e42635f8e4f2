// The waker of a spawned task: each operation is one transition of the
// state word (state.hpp) plus, when the transition says so, queueing the
// task on its owner or freeing it.
#include "task/waker.hpp"

#include "runtime/scheduler/scheduler.hpp"
#include "task/state.hpp"

namespace kyoto::detail {

void submit_to_owner(const owner_pin& owner, task_header* t) noexcept {
  if (scheduler* s = owner.get()) {
    s->schedule(t);
  } else {
    drop_task_reference(t);
  }
}

namespace {

task_header* hdr(const void* p) { return static_cast<task_header*>(const_cast<void*>(p)); }

raw_waker waker_clone(const void* p) {
  state::ref_inc(hdr(p));
  return raw_waker{p, &task_waker_vtable};
}
// Both wakes pin the owner before the transition (registry.cpp says why).
void waker_wake(const void* p) {
  task_header* t = hdr(p);
  owner_pin owner(task_owner_id(t));
  switch (state::transition_to_notified_by_val(t)) {
    case state::to_notified::submit:
      submit_to_owner(owner, t);
      break;
    case state::to_notified::dealloc:
      t->vtable->deallocate(t);
      break;
    case state::to_notified::nothing:
      break;
  }
}
void waker_wake_by_ref(const void* p) {
  task_header* t = hdr(p);
  owner_pin owner(task_owner_id(t));
  if (state::transition_to_notified_by_ref(t) == state::to_notified::submit)
    submit_to_owner(owner, t);
}
void waker_drop(const void* p) { drop_task_reference(hdr(p)); }

}  // namespace

constinit const waker_vtable task_waker_vtable{&waker_clone, &waker_wake, &waker_wake_by_ref,
                                               &waker_drop};

}  // namespace kyoto::detail
