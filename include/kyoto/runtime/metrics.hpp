// runtime_metrics: a snapshot of what a runtime holds (Tokio's
// RuntimeMetrics), for dashboards, watchdogs and leak checks:
//   auto m = kyoto::runtime::handle::current().metrics();
//   log("{} tasks alive, {} queued from outside", m.num_alive_tasks, m.global_queue_depth);
// Each figure is read on its own, without stopping the runtime: under load
// they are approximate; on a quiet runtime they are exact.
#pragma once

#include <cstddef>

namespace kyoto {

struct runtime_metrics {
  /// Worker threads (1 for the current-thread runtime: the thread in block_on).
  std::size_t num_workers = 0;
  /// Spawned tasks that have neither completed nor been cancelled (the
  /// future given to block_on is not a spawned task).
  std::size_t num_alive_tasks = 0;
  /// Tasks waiting in the injection queue (woken or spawned from outside
  /// the workers, not yet taken by one).
  std::size_t global_queue_depth = 0;
  /// Threads of the blocking pool, and how many of them wait for a job.
  std::size_t num_blocking_threads = 0;
  std::size_t num_idle_blocking_threads = 0;
  /// spawn_blocking jobs queued, not yet started.
  std::size_t blocking_queue_depth = 0;
  /// Timers armed (sleeps, timeouts, intervals not yet fired or dropped);
  /// 0 on a runtime without time.
  std::size_t num_timers = 0;
  /// Descriptors registered with the I/O driver (sockets, pipes, async_fd);
  /// 0 on a runtime without I/O.
  std::size_t num_io_sources = 0;
};

}  // namespace kyoto
