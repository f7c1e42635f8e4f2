// The two runtime flavours behind kyoto::runtime.
#include <signal.h>

#include <thread>

#include "io/driver/io_driver.hpp"
#include "kyoto/core/block_on.hpp"
#include "runtime/blocking/blocking_pool.hpp"
#include "runtime/context.hpp"
#include "runtime/scheduler/current_thread/current_thread.hpp"
#include "runtime/scheduler/multi_thread/multi_thread.hpp"
#include "time/driver.hpp"

namespace kyoto::detail {
namespace {

// A write to a closed socket or pipe must give EPIPE, not kill the process
// (sockets also write with MSG_NOSIGNAL; this covers pipes and async_fds).
// A handler the program installed itself is left alone.
std::shared_ptr<io_driver> make_io_driver(bool enabled) {
  if (!enabled) return nullptr;
  struct sigaction old {};
  if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL &&
      !(old.sa_flags & SA_SIGINFO)) {
    ::signal(SIGPIPE, SIG_IGN);
  }
  return std::make_shared<io_driver>();
}

template <class Scheduler>
class core_base : public runtime_core {
 public:
  scheduler* task_scheduler() noexcept override { return &sched_; }
  scheduler* blocking_scheduler() noexcept override { return blocking_.get(); }
  const runtime_config& config() const noexcept override { return config_; }
  time_driver* time() noexcept override { return time_.get(); }
  const std::shared_ptr<io_driver>& io() noexcept override { return io_; }

  runtime_metrics metrics() const override {
    runtime_metrics m;
    m.num_workers = sched_.worker_count();
    m.num_alive_tasks = sched_.owned.size();
    m.global_queue_depth = sched_.injection_depth();
    auto pool = blocking_->thread_counts();
    m.num_blocking_threads = pool.threads;
    m.num_idle_blocking_threads = pool.idle;
    m.blocking_queue_depth = pool.queued;
    m.num_timers = time_ ? time_->pending() : 0;
    m.num_io_sources = io_ ? io_->source_count() : 0;
    return m;
  }

 protected:
  explicit core_base(runtime_config config)
      : config_(std::move(config)),
        time_(config_.enable_time ? std::make_unique<time_driver>() : nullptr),
        io_(make_io_driver(config_.enable_io)),
        sched_(config_, time_.get(), io_.get()),
        blocking_(std::make_shared<blocking_pool>(
            config_.max_blocking_threads, config_.blocking_keep_alive, config_.thread_name)) {
    sched_.panic_hook = config_.on_task_panic;
    blocking_->panic_hook = config_.on_task_panic;
    blocking_->set_runtime(this);
  }

  // After the scheduler: the cancelled tasks have dropped their sockets.
  // Sockets that live on elsewhere see driver_shutdown from then on.
  void shutdown_drivers_and_blocking(std::chrono::nanoseconds timeout) {
    if (io_) io_->shutdown();
    blocking_->shutdown(timeout);
  }

  runtime_config config_;
  std::unique_ptr<time_driver> time_;
  std::shared_ptr<io_driver> io_;
  Scheduler sched_;
  std::shared_ptr<blocking_pool> blocking_;
};

class current_thread_core final : public core_base<current_thread_scheduler> {
 public:
  explicit current_thread_core(runtime_config config) : core_base(std::move(config)) {}
  ~current_thread_core() override { shutdown(std::chrono::nanoseconds(-1)); }

  void block_on(bool (*poll)(void*, context&), void* state) override {
    sched_.block_on(this, poll, state);
  }
  void shutdown(std::chrono::nanoseconds timeout) override {
    enter_runtime entered(this);
    sched_.shutdown();
    shutdown_drivers_and_blocking(timeout);
  }
};

class multi_thread_core final : public core_base<multi_thread_scheduler> {
 public:
  explicit multi_thread_core(runtime_config config) : core_base(std::move(config)) {}
  ~multi_thread_core() override { shutdown(std::chrono::nanoseconds(-1)); }

  void start() { sched_.start(this); }

  void block_on(bool (*poll)(void*, context&), void* state) override {
    enter_runtime entered(this);
    waker w = current_thread_waker();
    context cx(w);
    while (!poll(state, cx)) park_current_thread();
  }
  void shutdown(std::chrono::nanoseconds timeout) override {
    enter_runtime entered(this);
    sched_.shutdown();
    shutdown_drivers_and_blocking(timeout);
  }
};

}  // namespace

std::shared_ptr<runtime_core> make_runtime_core(runtime_config config) {
  if (config.kind == runtime_config::flavor::current_thread) {
    return std::make_shared<current_thread_core>(std::move(config));
  }
  auto core = std::make_shared<multi_thread_core>(std::move(config));
  core->start();
  return core;
}

}  // namespace kyoto::detail
