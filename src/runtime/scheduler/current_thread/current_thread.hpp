// The current-thread scheduler: tasks run on the thread that calls
// block_on, interleaved with the future it blocks on.
//
// local_ (a task_ring) is touched only by the driving thread,
// i.e. the thread inside block_on (driver_ == that thread's marker).
// Wakes from other threads go to remote_ (an inject_queue, mutex-guarded)
// and unpark the driver. The driver parks only after finding local_ and
// remote_ empty and the blocked-on future not woken; every producer
// unparks after pushing, and parker tokens are sticky, so a wake between
// the check and the park makes the park return at once.
// Timers: the driving thread fires due timers on every turn of its loop
// and parks with the next deadline as timeout. With the clock paused and
// nothing to run, it jumps the clock to the next deadline instead of
// sleeping.
// I/O: with an I/O driver the driving thread parks inside epoll_wait (the
// parker's PARKED_DRIVER state: unpark writes the driver's eventfd), and a
// busy loop polls the driver without blocking after every full batch of
// tasks while descriptors are registered (docs/design/io-driver.md).
// One thread drives at a time (drive_lock_); another thread's block_on
// waits for its turn.
// Shutdown: close the owned list and cancel every task on the calling
// thread, then close remote_ and drop the references of both queues.
#pragma once

#include "io/driver/io_driver.hpp"
#include "kyoto/detail/runtime/runtime_core.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "runtime/scheduler/inject_queue.hpp"
#include "runtime/scheduler/scheduler.hpp"
#include "runtime/scheduler/task_ring.hpp"
#include "time/driver.hpp"
#include "util/parker.hpp"

namespace kyoto::detail {

class runtime_core;

class current_thread_scheduler : public scheduler {
 public:
  current_thread_scheduler(const runtime_config& config, time_driver* time, io_driver* io);
  ~current_thread_scheduler();
  current_thread_scheduler(const current_thread_scheduler&) = delete;
  current_thread_scheduler& operator=(const current_thread_scheduler&) = delete;

  /// Runs tasks and polls `poll(state, cx)` until it returns true.
  void block_on(runtime_core* core, bool (*poll)(void*, context&), void* state);
  void shutdown();

  /// The thread in block_on is its only worker.
  std::uint32_t worker_count() const noexcept { return 1; }
  /// Tasks woken or spawned from other threads, not yet taken.
  std::size_t injection_depth() const noexcept { return remote_.len(); }

 private:
  static void schedule_fn(scheduler* s, task_header* t);
  static raw_waker main_clone(const void* p);
  static void main_wake(const void* p);
  static void main_drop(const void* p);
  static const waker_vtable main_vtable;
  void push_local(task_header* t) { local_.push(t); }
  void park();
  task_header* pop_local() noexcept { return local_.pop(); }

  mutex drive_lock_;
  // Driver-only state.
  task_ring local_;
  atomic<bool> main_woken_{false};
  inject_queue remote_;
  parker park_;
  bool shut_down_ = false;
  time_driver* time_;  // null when time is disabled
  io_driver* io_;      // null when I/O is disabled
};

}  // namespace kyoto::detail
