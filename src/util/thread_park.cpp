// The per-thread parker behind block_on's waker. The parker is reference
// counted (the thread holds one reference, each waker clone another), so a
// waker that outlives its thread stays safe to wake.
#include "kyoto/detail/runtime/thread_park.hpp"

#include "kyoto/detail/sync_primitives.hpp"
#include "util/parker.hpp"

namespace kyoto::detail {
namespace {

struct shared_parker {
  parker p;
  atomic<std::size_t> refs{1};
};

void release(const shared_parker* sp) noexcept {
  auto* s = const_cast<shared_parker*>(sp);
  if (s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete s;
}

raw_waker clone_fn(const void* data);
void wake_fn(const void* data) {
  auto* s = const_cast<shared_parker*>(static_cast<const shared_parker*>(data));
  s->p.unpark();
  release(s);
}
void wake_by_ref_fn(const void* data) {
  const_cast<shared_parker*>(static_cast<const shared_parker*>(data))->p.unpark();
}
void drop_fn(const void* data) { release(static_cast<const shared_parker*>(data)); }

constexpr waker_vtable parker_vtable{&clone_fn, &wake_fn, &wake_by_ref_fn, &drop_fn};

raw_waker clone_fn(const void* data) {
  const_cast<shared_parker*>(static_cast<const shared_parker*>(data))
      ->refs.fetch_add(1, std::memory_order_relaxed);
  return raw_waker{data, &parker_vtable};
}

struct thread_parker_holder {
  shared_parker* sp = new shared_parker;
  ~thread_parker_holder() { release(sp); }
};

shared_parker* this_thread_parker() {
  thread_local thread_parker_holder holder;
  return holder.sp;
}

}  // namespace

waker current_thread_waker() {
  shared_parker* sp = this_thread_parker();
  return waker::from_raw(clone_fn(sp));
}

void park_current_thread() { this_thread_parker()->p.park(); }

}  // namespace kyoto::detail
