#include "runtime/scheduler/current_thread/current_thread.hpp"

#include "runtime/context.hpp"
#include "task/state.hpp"

namespace kyoto::detail {
namespace {

thread_local const current_thread_scheduler* tl_driving = nullptr;
constexpr int event_interval = 61;  // tasks between two polls of the main future

constexpr std::size_t remote_batch = 256;

}  // namespace

// The waker of the blocked-on future holds the scheduler's id and
// generation, not a pointer: a clone kept past block_on, or past the
// runtime, pins the id (registry.cpp) and does nothing once the scheduler
// has retired or the id belongs to another one.
namespace {
constexpr unsigned main_generation_shift = 16;

// This thread drives s (block_on, shutdown): its tasks run here, and its
// wakes from here skip the pin (tl_running_scheduler); restored on exit.
struct driving_scope {
  const current_thread_scheduler* saved_driving = tl_driving;
  scheduler* saved_running = tl_running_scheduler;
  explicit driving_scope(current_thread_scheduler* s) noexcept {
    tl_driving = s;
    tl_running_scheduler = s;
  }
  ~driving_scope() {
    tl_driving = saved_driving;
    tl_running_scheduler = saved_running;
  }
  driving_scope(const driving_scope&) = delete;
  driving_scope& operator=(const driving_scope&) = delete;
};
}  // namespace
raw_waker current_thread_scheduler::main_clone(const void* p) { return raw_waker{p, &main_vtable}; }
void current_thread_scheduler::main_wake(const void* p) {
  auto bits = reinterpret_cast<std::uintptr_t>(p);
  auto id = static_cast<std::uint16_t>(bits);
  owner_pin owner(id);
  scheduler* s = owner.get();
  if (s == nullptr || scheduler_slots[id].generation.load(std::memory_order_relaxed) !=
                          (bits >> main_generation_shift)) {
    return;
  }
  auto* self = static_cast<current_thread_scheduler*>(s);
  self->main_woken_.store(true, std::memory_order_release);
  self->park_.unpark();
}
void current_thread_scheduler::main_drop(const void*) {}
constinit const waker_vtable current_thread_scheduler::main_vtable{
    &current_thread_scheduler::main_clone, &current_thread_scheduler::main_wake,
    &current_thread_scheduler::main_wake, &current_thread_scheduler::main_drop};

current_thread_scheduler::current_thread_scheduler(const runtime_config&, time_driver* time,
                                                   io_driver* io)
    : time_(time), io_(io) {
  static const scheduler_vtable vt{&current_thread_scheduler::schedule_fn,
                                   &current_thread_scheduler::schedule_fn};
  vtable = &vt;
  if (io_) {
    park_.bind_driver([](void* d) noexcept { static_cast<io_driver*>(d)->unpark(); }, io_);
  }
}

current_thread_scheduler::~current_thread_scheduler() { shutdown(); }

void current_thread_scheduler::schedule_fn(scheduler* s, task_header* t) {
  auto* self = static_cast<current_thread_scheduler*>(s);
  if (tl_driving == self) {
    self->push_local(t);
    return;
  }
  if (!self->remote_.push(t)) {
    drop_task_reference(t);  // shut down
    return;
  }
  self->park_.unpark();
}

void current_thread_scheduler::block_on(runtime_core* core, bool (*poll)(void*, context&),
                                        void* state) {
  lock_guard drive(drive_lock_);
  enter_runtime entered(core);
  driving_scope driving(this);

  auto main_bits = static_cast<std::uintptr_t>(registration.generation() << main_generation_shift) |
                   registration.id();
  waker w = waker::from_raw(raw_waker{reinterpret_cast<const void*>(main_bits), &main_vtable});
  context cx(w);
  main_woken_.store(true, std::memory_order_relaxed);
  for (;;) {
    if (time_ && time_->anything_due()) time_->process();
    if (main_woken_.exchange(false, std::memory_order_acquire)) {
      if (poll(state, cx)) return;
    }
    int ran = 0;
    for (; ran < event_interval; ++ran) {
      task_header* t = pop_local();
      if (!t) {
        task_header* taken[remote_batch];
        std::size_t n = remote_.pop_n(taken, remote_batch);
        local_.push_n(taken, n);
        t = pop_local();
        if (!t) break;
      }
      run_task(t);
    }
    if (ran == event_interval && io_ && io_->has_sources()) {
      io_->turn(std::chrono::nanoseconds(0));  // busy: let I/O in between batches
    }
    if (ran == 0 && !main_woken_.load(std::memory_order_acquire) && remote_.empty()) park();
  }
}

void current_thread_scheduler::park() {
  if (!time_) {
    if (io_) {
      park_.park_driving([this] { io_->turn(std::nullopt); });
    } else {
      park_.park();
    }
    return;
  }
  if (time_->paused()) {
    // Idle with the clock paused: collect ready I/O, and if there is none,
    // jump straight to the next timer.
    if (io_ && io_->turn(std::chrono::nanoseconds(0)) > 0) return;
    if (time_->auto_advance()) return;
    if (io_) {
      park_.park_driving([this] { io_->turn(std::nullopt); });
    } else {
      park_.park();
    }
    return;
  }
  time_->set_sleeper(&park_);  // before reading the next deadline
  auto timeout = time_->park_timeout();
  if (io_) {
    park_.park_driving([this, timeout] { io_->turn(timeout); });
  } else if (timeout) {
    if (timeout->count() > 0) park_.park_for(*timeout);
  } else {
    park_.park();
  }
  time_->set_sleeper(nullptr);
}

void current_thread_scheduler::shutdown() {
  lock_guard drive(drive_lock_);
  if (shut_down_) return;
  shut_down_ = true;
  {
    driving_scope driving(this);
    owned.close_and_take_all([](task_header* t) { shutdown_task(t); });
    for (task_header* t : remote_.close()) drop_task_reference(t);
    while (task_header* t = pop_local()) drop_task_reference(t);
  }
  registration.retire();  // from here on, no wake from anywhere reaches us
}

}  // namespace kyoto::detail
