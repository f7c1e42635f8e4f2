// The runtime's internals as the public templates see them: an opaque core
// with a scheduler, a blocking pool, and a way to drive a future.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "kyoto/core/context.hpp"
#include "kyoto/runtime/metrics.hpp"

namespace kyoto::detail {

struct scheduler;
class time_driver;
class io_driver;

struct runtime_config {
  enum class flavor { current_thread, multi_thread };
  flavor kind = flavor::multi_thread;
  std::size_t worker_threads = 0;  // 0: one per CPU
  std::size_t max_blocking_threads = 512;
  std::chrono::milliseconds blocking_keep_alive{10'000};
  std::string thread_name = "kyoto-worker";
  bool enable_io = false;
  bool enable_time = false;
  std::function<void(const std::exception_ptr&)> on_task_panic;
};

class runtime_core : public std::enable_shared_from_this<runtime_core> {
 public:
  virtual ~runtime_core() = default;
  /// Where spawned tasks go.
  virtual scheduler* task_scheduler() noexcept = 0;
  /// Where spawn_blocking jobs go.
  virtual scheduler* blocking_scheduler() noexcept = 0;
  /// Polls poll(state, cx) on the calling thread until it returns true,
  /// with this runtime as the current one (current-thread: running the
  /// runtime's tasks meanwhile).
  virtual void block_on(bool (*poll)(void*, context&), void* state) = 0;
  /// Cancels every task, stops the threads; waits at most `timeout` for
  /// running blocking jobs (negative: as long as they take).
  virtual void shutdown(std::chrono::nanoseconds timeout) = 0;
  virtual const runtime_config& config() const noexcept = 0;
  /// The timer driver, or null when time is not enabled.
  virtual time_driver* time() noexcept = 0;
  /// The I/O driver, or null when I/O is not enabled.
  virtual const std::shared_ptr<io_driver>& io() noexcept = 0;
  virtual runtime_metrics metrics() const = 0;
};

std::shared_ptr<runtime_core> make_runtime_core(runtime_config config);

/// The runtime of the calling thread (a worker, a block_on caller, a
/// blocking job), or null.
runtime_core* current_runtime() noexcept;
/// As current_runtime(), shared; throws std::runtime_error with a message
/// when there is none.
std::shared_ptr<runtime_core> current_runtime_shared();
/// The scheduler spawn() uses on this thread; throws when there is none.
scheduler* current_scheduler_or_throw();

}  // namespace kyoto::detail
