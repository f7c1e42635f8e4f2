// The two runtime flavours behind kyoto::runtime.
#include <thread>

#include "kyoto/core/block_on.hpp"
#include "runtime/blocking/blocking_pool.hpp"
#include "runtime/context.hpp"
#include "runtime/scheduler/current_thread/current_thread.hpp"
#include "runtime/scheduler/multi_thread/multi_thread.hpp"
#include "time/driver.hpp"

namespace kyoto::detail {
namespace {

template <class Scheduler>
class core_base : public runtime_core {
 public:
  scheduler* task_scheduler() noexcept override { return &sched_; }
  scheduler* blocking_scheduler() noexcept override { return blocking_.get(); }
  const runtime_config& config() const noexcept override { return config_; }
  time_driver* time() noexcept override { return time_.get(); }

 protected:
  explicit core_base(runtime_config config)
      : config_(std::move(config)),
        time_(config_.enable_time ? std::make_unique<time_driver>() : nullptr),
        sched_(config_, time_.get()),
        blocking_(std::make_shared<blocking_pool>(
            config_.max_blocking_threads, config_.blocking_keep_alive, config_.thread_name)) {
    sched_.panic_hook = config_.on_task_panic;
    blocking_->panic_hook = config_.on_task_panic;
    blocking_->set_runtime(this);
  }

  void shutdown_blocking(std::chrono::nanoseconds timeout) { blocking_->shutdown(timeout); }

  runtime_config config_;
  std::unique_ptr<time_driver> time_;
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
    shutdown_blocking(timeout);
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
    shutdown_blocking(timeout);
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
