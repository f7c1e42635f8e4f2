// The multi-thread work-stealing scheduler. See worker.cpp for the protocol.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/driver/io_driver.hpp"
#include "kyoto/detail/runtime/runtime_core.hpp"
#include "runtime/scheduler/inject_queue.hpp"
#include "runtime/scheduler/multi_thread/idle.hpp"
#include "runtime/scheduler/multi_thread/local_queue.hpp"
#include "runtime/scheduler/scheduler.hpp"
#include "time/driver.hpp"
#include "util/parker.hpp"
#include "util/sync_primitives.hpp"

namespace kyoto::detail {

class runtime_core;

class multi_thread_scheduler : public scheduler {
 public:
  multi_thread_scheduler(const runtime_config& config, time_driver* time, io_driver* io);
  ~multi_thread_scheduler();
  multi_thread_scheduler(const multi_thread_scheduler&) = delete;
  multi_thread_scheduler& operator=(const multi_thread_scheduler&) = delete;

  /// Starts the worker threads; each enters `core` as its current runtime.
  void start(runtime_core* core);
  /// Stops the workers, joins them, cancels every task, drains the queues.
  void shutdown();

  std::uint32_t worker_count() const noexcept {
    return static_cast<std::uint32_t>(workers_.size());
  }
  std::size_t injection_depth() const noexcept { return inject_.len(); }

 private:
  struct worker {
    local_queue queue;
    task_header* lifo = nullptr;  // only the worker's own thread touches it
    parker park;
    std::uint32_t id = 0;
    std::uint32_t tick = 0;
    std::uint32_t rng = 0;
    bool searching = false;
    detail::thread thread;
  };

  static void schedule_fn(scheduler* s, task_header* t);
  static void schedule_yield_fn(scheduler* s, task_header* t);
  void schedule(task_header* t);
  void schedule_yield(task_header* t);
  void schedule_remote(task_header* t);
  void run(worker& w, runtime_core* core);
  task_header* next_task(worker& w);
  task_header* steal_work(worker& w);
  void run_with_lifo(worker& w, task_header* t);
  bool spin_for_work() const noexcept;
  void park(worker& w);
  void park_on_driver(worker& w);
  void maintenance();
  void stop_searching(worker& w);
  void notify_parked();
  bool has_work_anywhere() const noexcept;
  worker* current_worker() const noexcept;

  std::vector<std::unique_ptr<worker>> workers_;
  inject_queue inject_;
  idle idle_;
  atomic<bool> shutdown_{false};
  time_driver* time_;  // null when time is disabled
  io_driver* io_;      // null when I/O is disabled
  mutex driver_lock_;  // held by the worker that sleeps with the driver
  std::string thread_name_;
};

}  // namespace kyoto::detail
