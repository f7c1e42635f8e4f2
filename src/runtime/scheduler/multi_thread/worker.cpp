// The multi-thread work-stealing scheduler.
//
// Each worker owns a local_queue (bounded, stealable) and a LIFO slot.
// A task woken by a task running on worker W goes to W's LIFO slot, so a
// message-passing pair runs back to back on one core; the task it displaces
// goes to the local queue. Yielded tasks go to the back of the local queue.
// Wakes from outside the workers go to the injection queue.
//
// Worker loop: every 61st task comes from the injection queue first
// (fairness); otherwise LIFO slot (at most 3 in a row, then it is spilled
// to the queue so that a ping-pong pair cannot starve the rest), local
// queue, a batch from the injection queue, then stealing half of a random
// victim's queue (as one of at most half the workers searching at once),
// and finally parking.
//
// Parking never loses a wake-up: see idle.hpp. Producers (schedule, spawn)
// always call notify_parked after making a task visible, except for the
// LIFO slot, which its own worker runs next.
//
// Shutdown order (multi_thread_scheduler::shutdown): set shutdown_, unpark
// every worker, join them (each finishes its current poll and stops); then,
// on the calling thread, close the owned-task list and cancel every task in
// it (their futures are destroyed there), then close the injection queue
// and drop the references held by all queues and LIFO slots. A wake that
// arrives meanwhile finds the injection queue closed and drops its
// reference itself. Last, the id is retired (registry.cpp): a wake from
// another thread that is still under way finishes first, and any later one
// does nothing.
#include <pthread.h>

#include <cassert>

#include "runtime/context.hpp"
#include "runtime/scheduler/multi_thread/multi_thread.hpp"
#include "task/state.hpp"

namespace kyoto::detail {
namespace {

constexpr std::uint32_t global_queue_interval = 61;
constexpr int max_lifo_polls = 3;
constexpr int spin_rounds = 256;

struct current_worker_slot {
  const void* sched = nullptr;
  void* worker = nullptr;
};
thread_local current_worker_slot tl_worker;

std::uint32_t xorshift(std::uint32_t& s) noexcept {
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

}  // namespace

namespace {
std::uint32_t worker_count_for(const runtime_config& config) {
  if (config.worker_threads) return static_cast<std::uint32_t>(config.worker_threads);
  unsigned n = thread::hardware_concurrency();
  return n ? n : 1;
}
}  // namespace

multi_thread_scheduler::multi_thread_scheduler(const runtime_config& config, time_driver* time,
                                               io_driver* io)
    : idle_(worker_count_for(config)), time_(time), io_(io), thread_name_(config.thread_name) {
  const std::uint32_t workers = worker_count_for(config);
  static const scheduler_vtable vt{&multi_thread_scheduler::schedule_fn,
                                   &multi_thread_scheduler::schedule_yield_fn};
  vtable = &vt;
  workers_.reserve(workers);
  for (std::uint32_t i = 0; i < workers; ++i) {
    auto w = std::make_unique<worker>();
    w->id = i;
    w->rng = 0x9e3779b9u * (i + 1);
    if (io_) {
      w->park.bind_driver([](void* d) noexcept { static_cast<io_driver*>(d)->unpark(); }, io_);
    }
    workers_.push_back(std::move(w));
  }
}

multi_thread_scheduler::~multi_thread_scheduler() { shutdown(); }

void multi_thread_scheduler::start(runtime_core* core) {
  for (auto& w : workers_) {
    worker* wp = w.get();
    wp->thread = thread([this, wp, core] { run(*wp, core); });
    std::string name = thread_name_.substr(0, 15);
    pthread_setname_np(wp->thread.native_handle(), name.c_str());
  }
}

multi_thread_scheduler::worker* multi_thread_scheduler::current_worker() const noexcept {
  return tl_worker.sched == this ? static_cast<worker*>(tl_worker.worker) : nullptr;
}

void multi_thread_scheduler::schedule_fn(scheduler* s, task_header* t) {
  static_cast<multi_thread_scheduler*>(s)->schedule(t);
}

void multi_thread_scheduler::schedule_yield_fn(scheduler* s, task_header* t) {
  static_cast<multi_thread_scheduler*>(s)->schedule_yield(t);
}

void multi_thread_scheduler::schedule(task_header* t) {
  if (worker* w = current_worker()) {
    task_header* prev = w->lifo;
    w->lifo = t;
    if (!prev) return;  // runs next on this worker; nobody else needs to know
    w->queue.push_back(prev, inject_);
    notify_parked();
    return;
  }
  schedule_remote(t);
}

void multi_thread_scheduler::schedule_yield(task_header* t) {
  if (worker* w = current_worker()) {
    w->queue.push_back(t, inject_);
    notify_parked();
    return;
  }
  schedule_remote(t);
}

// From outside the workers: through the injection queue.
void multi_thread_scheduler::schedule_remote(task_header* t) {
  if (!inject_.push(t)) {
    drop_task_reference(t);  // shut down
    return;
  }
  notify_parked();
}

void multi_thread_scheduler::notify_parked() {
  atomic_thread_fence(std::memory_order_seq_cst);
  if (!idle_.should_notify()) return;
  int id = idle_.take_sleeper();
  if (id >= 0) workers_[static_cast<std::size_t>(id)]->park.unpark();
}

bool multi_thread_scheduler::has_work_anywhere() const noexcept {
  if (!inject_.empty()) return true;
  for (auto& w : workers_) {
    if (!w->queue.is_empty()) return true;
  }
  return false;
}

void multi_thread_scheduler::run(worker& w, runtime_core* core) {
  enter_runtime entered(core);
  tl_worker = {this, &w};
  tl_running_scheduler = this;
  while (!shutdown_.load(std::memory_order_acquire)) {
    task_header* t = next_task(w);
    if (!t) t = steal_work(w);
    if (t) {
      if (w.searching) stop_searching(w);
      run_with_lifo(w, t);
      continue;
    }
    if (spin_for_work()) continue;
    park(w);
  }
  tl_worker = {};
  tl_running_scheduler = nullptr;
}

// Between tasks, every global_queue_interval ticks: fire due timers and
// collect ready I/O (without blocking) if no parked worker is doing it: a
// runtime that never idles still has timers and sockets. Costs nothing
// while no descriptor is registered and no timer is due.
void multi_thread_scheduler::maintenance() {
  bool timers = time_ && time_->anything_due();
  bool io = io_ && io_->has_sources();
  if (!timers && !io) return;
  unique_lock lock(driver_lock_, std::try_to_lock);
  if (!lock) return;
  if (io) io_->turn(std::chrono::nanoseconds(0));
  if (timers) time_->process();
}

task_header* multi_thread_scheduler::next_task(worker& w) {
  if (++w.tick % global_queue_interval == 0) {
    maintenance();
    if (task_header* t = inject_.pop()) return t;
  }
  if (w.lifo) return std::exchange(w.lifo, nullptr);
  if (task_header* t = w.queue.pop()) return t;
  // Take a fair share of the injection queue into the local queue (the
  // chain is handled after the injection queue's lock is released:
  // pushing to a full local queue overflows back into it).
  std::size_t share = inject_.len() / workers_.size() + 1;
  if (share > local_queue::capacity / 2) share = local_queue::capacity / 2;
  task_header* taken[local_queue::capacity / 2];
  std::size_t n = inject_.pop_n(taken, share);
  if (n == 0) return nullptr;
  for (std::size_t i = 1; i < n; ++i) w.queue.push_back(taken[i], inject_);
  return taken[0];
}

task_header* multi_thread_scheduler::steal_work(worker& w) {
  if (workers_.size() > 1) {
    if (!w.searching) {
      if (!idle_.try_start_searching()) return nullptr;
      w.searching = true;
    }
    std::size_t n = workers_.size();
    std::size_t start = xorshift(w.rng) % n;
    for (std::size_t i = 0; i < n; ++i) {
      worker& victim = *workers_[(start + i) % n];
      if (&victim == &w) continue;
      if (task_header* t = victim.queue.steal_into(w.queue)) return t;
    }
  }
  return inject_.pop();
}

void multi_thread_scheduler::stop_searching(worker& w) {
  w.searching = false;
  // The last searcher to find work wakes another worker to keep looking:
  // where there was work for one, there may be more.
  if (idle_.stop_searching()) notify_parked();
}

void multi_thread_scheduler::run_with_lifo(worker& w, task_header* t) {
  run_task(t);
  for (int polls = 0; w.lifo && !shutdown_.load(std::memory_order_relaxed); ++polls) {
    task_header* next = std::exchange(w.lifo, nullptr);
    if (polls >= max_lifo_polls) {
      w.queue.push_back(next, inject_);
      notify_parked();
      return;
    }
    run_task(next);
  }
}

// Before sleeping, watch the queues for a moment: a producer that spawns
// in a loop then finds this worker awake, and neither side pays a futex
// round trip per task. Bounded (a few microseconds), and only reads.
bool multi_thread_scheduler::spin_for_work() const noexcept {
  for (int i = 0; i < spin_rounds; ++i) {
    if (has_work_anywhere()) return true;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  return false;
}

void multi_thread_scheduler::park(worker& w) {
  bool was_searching = std::exchange(w.searching, false);
  if (idle_.park(w.id, was_searching) && has_work_anywhere()) notify_parked();
  atomic_thread_fence(std::memory_order_seq_cst);
  if (has_work_anywhere() || shutdown_.load(std::memory_order_acquire)) {
    if (!idle_.unpark_self(w.id)) w.park.park();  // someone woke us: eat the token
    w.searching = true;
    return;
  }
  for (;;) {
    park_on_driver(w);
    if (shutdown_.load(std::memory_order_acquire)) return;
    if (!idle_.is_sleeping(w.id)) break;  // woken for real (not spuriously)
    if (w.lifo || !w.queue.is_empty()) {
      // The timers this worker fired woke tasks into its own queues: run
      // them here (if someone woke us meanwhile, its token is harmless).
      idle_.unpark_self(w.id);
      break;
    }
  }
  w.searching = true;  // whoever woke us counted us as searching
}

// One worker at a time sleeps with the driver: its park timeout is the next
// timer deadline, and on waking it fires the due timers (whose wakes
// schedule tasks and wake other workers). The others sleep on their futex.
void multi_thread_scheduler::park_on_driver(worker& w) {
  unique_lock lock(driver_lock_, std::defer_lock);
  if ((!time_ && !io_) || !lock.try_lock()) {
    w.park.park();
    return;
  }
  std::optional<std::chrono::nanoseconds> timeout;
  if (time_) {
    time_->set_sleeper(&w.park);  // before reading the next deadline
    timeout = time_->park_timeout();
  }
  if (io_) {
    // Sleeps in epoll_wait; unpark writes the driver's eventfd. The tasks
    // that I/O events wake go to this worker's own queues, as below.
    w.park.park_driving([this, timeout] { io_->turn(timeout); });
  } else if (timeout) {
    if (timeout->count() > 0) w.park.park_for(*timeout);
  } else {
    w.park.park();
  }
  if (!time_) return;
  time_->set_sleeper(nullptr);
  // Tasks the timers wake go to this worker's own queues (no lock; the ring
  // notifies others to steal); park() then stops sleeping to run them.
  time_->process();
}

void multi_thread_scheduler::shutdown() {
  if (shutdown_.exchange(true)) return;
  for (auto& w : workers_) w->park.unpark();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  owned.close_and_take_all([](task_header* t) { shutdown_task(t); });
  for (task_header* t : inject_.close()) drop_task_reference(t);
  for (auto& w : workers_) {
    if (w->lifo) drop_task_reference(std::exchange(w->lifo, nullptr));
    while (task_header* t = w->queue.pop()) drop_task_reference(t);
  }
  registration.retire();  // from here on, no wake from anywhere reaches us
}

}  // namespace kyoto::detail
