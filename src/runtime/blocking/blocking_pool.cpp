#include "runtime/blocking/blocking_pool.hpp"

#include <pthread.h>

#include "runtime/context.hpp"
#include "task/state.hpp"
#include "util/sync_primitives.hpp"

namespace kyoto::detail {

blocking_pool::blocking_pool(std::size_t max_threads, std::chrono::milliseconds keep_alive,
                             std::string thread_name)
    : max_threads_(max_threads ? max_threads : 1),
      keep_alive_(keep_alive),
      name_(std::move(thread_name)) {
  static const scheduler_vtable vt{&blocking_pool::schedule_fn, &blocking_pool::schedule_fn};
  vtable = &vt;
}

blocking_pool::~blocking_pool() = default;

void blocking_pool::schedule_fn(scheduler* s, task_header* t) {
  auto* self = static_cast<blocking_pool*>(s);
  unique_lock lock(self->lock_);
  if (self->shutdown_) {
    lock.unlock();
    drop_task_reference(t);
    return;
  }
  self->queue_.push_back(t);
  if (self->idle_ > 0) {
    lock.unlock();
    self->cv_.notify_one();
    return;
  }
  if (self->threads_ < self->max_threads_) {
    ++self->threads_;
    lock.unlock();
    thread th(&blocking_pool::thread_main, self->shared_from_this(), self->core_);
    std::string name = (self->name_ + "-blk").substr(0, 15);
    pthread_setname_np(th.native_handle(), name.c_str());
    th.detach();
  }
  // Otherwise every thread is busy and at the cap: the job waits its turn.
}

void blocking_pool::thread_main(std::shared_ptr<blocking_pool> self, runtime_core* core) {
  enter_runtime entered(core);
  unique_lock lock(self->lock_);
  for (;;) {
    if (!self->queue_.empty()) {
      task_header* t = self->queue_.front();
      self->queue_.pop_front();
      lock.unlock();
      run_task(t);
      lock.lock();
      continue;
    }
    if (self->shutdown_) break;
    ++self->idle_;
    bool job = self->cv_.wait_for(lock, self->keep_alive_,
                                  [&] { return !self->queue_.empty() || self->shutdown_; });
    --self->idle_;
    if (!job) break;  // idle too long
  }
  --self->threads_;
  self->exited_cv_.notify_all();
}

blocking_pool::counts blocking_pool::thread_counts() const {
  lock_guard lock(lock_);
  return counts{threads_, idle_, queue_.size()};
}

bool blocking_pool::shutdown(std::chrono::nanoseconds timeout) {
  {
    lock_guard lock(lock_);
    if (shutdown_) return true;
    shutdown_ = true;
  }
  owned.close_and_take_all([](task_header* t) { shutdown_task(t); });
  std::deque<task_header*> queued;
  {
    lock_guard lock(lock_);
    queued.swap(queue_);
  }
  for (task_header* t : queued) drop_task_reference(t);
  cv_.notify_all();
  unique_lock lock(lock_);
  if (timeout.count() < 0) {
    exited_cv_.wait(lock, [&] { return threads_ == 0; });
    return true;
  }
  return exited_cv_.wait_for(lock, timeout, [&] { return threads_ == 0; });
}

}  // namespace kyoto::detail
