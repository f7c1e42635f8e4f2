#include "time/driver.hpp"

#include <array>
#include <stdexcept>

#include "kyoto/detail/runtime/runtime_core.hpp"
#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {
namespace {
std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
constexpr std::int64_t ns_per_ms = 1'000'000;
}  // namespace

time_driver::time_driver() : origin_ns_(steady_ns()) {}

std::int64_t time_driver::real_ns() const noexcept { return steady_ns() - origin_ns_; }

std::int64_t time_driver::now_ns() const noexcept {
  if (paused_.load(std::memory_order_acquire)) return frozen_ns_.load(std::memory_order_acquire);
  return real_ns() + shift_ns_.load(std::memory_order_acquire);
}

std::uint64_t time_driver::now_ms() const noexcept {
  std::int64_t ns = now_ns();
  return ns <= 0 ? 0 : static_cast<std::uint64_t>(ns / ns_per_ms);
}

void time_driver::note_next_locked() noexcept {
  auto n = wheel_.next_expiration();
  next_.store(n ? *n : UINT64_MAX, std::memory_order_release);
}

void time_driver::register_entry(timer_entry& e, const kyoto::waker& w) {
  bool earlier;
  {
    lock_guard lock(lock_);
    if (e.registered) wheel_.remove(e);
    e.fired.store(false, std::memory_order_relaxed);
    e.w = w;
    wheel_.insert(e);
    earlier = lower_next_locked(e.deadline_ms);
  }
  if (earlier) {
    if (parker* p = sleeper_.load(std::memory_order_seq_cst)) p->unpark();
  }
}

// next_ may be earlier than the wheel's true next expiration (a removed
// entry leaves it stale): the driver then wakes early, finds nothing due,
// and recomputes it. It is never later than a registered deadline.
bool time_driver::lower_next_locked(std::uint64_t deadline_ms) noexcept {
  if (deadline_ms < next_.load(std::memory_order_relaxed)) {
    next_.store(deadline_ms, std::memory_order_release);
    return true;
  }
  return false;
}

bool time_driver::update_waker(timer_entry& e, const kyoto::waker& w) {
  lock_guard lock(lock_);
  if (!e.registered) return false;
  if (!e.w.will_wake(w)) e.w = w;
  return true;
}

void time_driver::deregister(timer_entry& e) noexcept {
  lock_guard lock(lock_);
  if (e.registered) wheel_.remove(e);
}

bool time_driver::reset(timer_entry& e, std::uint64_t deadline_ms) {
  bool earlier = false;
  bool armed;
  {
    lock_guard lock(lock_);
    if (e.registered) wheel_.remove(e);
    e.deadline_ms = deadline_ms;
    e.fired.store(false, std::memory_order_relaxed);
    // A fired entry gave its waker away: it re-arms on its next poll.
    armed = !e.w.will_wake(kyoto::waker());
    if (armed) {
      wheel_.insert(e);
      earlier = lower_next_locked(e.deadline_ms);
    }
  }
  if (earlier) {
    if (parker* p = sleeper_.load(std::memory_order_seq_cst)) p->unpark();
  }
  return armed;
}

bool time_driver::anything_due() const noexcept {
  return next_.load(std::memory_order_acquire) <= now_ms();
}

std::size_t time_driver::process() {
  std::array<kyoto::waker, 32> batch;
  std::size_t fired = 0;
  std::uint64_t now = now_ms();
  for (;;) {
    std::size_t n = 0;
    {
      lock_guard lock(lock_);
      // Fire at most a batch at a time (wakers run outside the lock).
      wheel_.advance(now, [&](timer_entry& e) {
        if (n == batch.size()) return false;  // next round
        batch[n++] = std::move(e.w);
        e.fired.store(true, std::memory_order_release);
        return true;
      });
      note_next_locked();
    }
    for (std::size_t i = 0; i < n; ++i) std::exchange(batch[i], kyoto::waker()).wake();
    fired += n;
    if (n < batch.size()) return fired;
  }
}

std::optional<std::chrono::nanoseconds> time_driver::park_timeout() const {
  std::uint64_t next = next_.load(std::memory_order_acquire);
  if (next == UINT64_MAX) return std::nullopt;
  std::int64_t due_ns = static_cast<std::int64_t>(next) * ns_per_ms;
  std::int64_t now = now_ns();
  return std::chrono::nanoseconds(due_ns > now ? due_ns - now : 0);
}

std::size_t time_driver::pending() const {
  lock_guard lock(lock_);
  return wheel_.size();
}

void time_driver::pause() {
  if (paused_.load()) return;
  // Freeze on a whole millisecond, the timer resolution, so that a sleep of
  // d followed by advance(d) lands exactly on its (rounded-up) deadline.
  std::int64_t now = now_ns();
  frozen_ns_.store((now + ns_per_ms - 1) / ns_per_ms * ns_per_ms, std::memory_order_release);
  paused_.store(true, std::memory_order_release);
}

void time_driver::resume() {
  if (!paused_.load()) return;
  shift_ns_.store(frozen_ns_.load() - real_ns(), std::memory_order_release);
  paused_.store(false, std::memory_order_release);
}

void time_driver::advance(std::chrono::nanoseconds d) {
  if (paused_.load()) {
    frozen_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
  } else {
    shift_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
  }
}

bool time_driver::auto_advance() {
  std::uint64_t next = next_.load(std::memory_order_acquire);
  if (next == UINT64_MAX) return false;
  std::int64_t due_ns = static_cast<std::int64_t>(next) * ns_per_ms;
  std::int64_t cur = frozen_ns_.load();
  if (due_ns > cur) frozen_ns_.store(due_ns, std::memory_order_release);
  return true;
}

// The entry points used by the public sleep futures.
time_driver* current_time_driver_or_null() noexcept {
  runtime_core* core = current_runtime();
  return core ? core->time() : nullptr;
}

time_driver& current_time_driver() {
  runtime_core* core = current_runtime();
  if (!core) {
    throw std::runtime_error(
        "kyoto: timers need a runtime: call sleep/timeout/interval from a task or inside "
        "runtime::block_on / kyoto::run");
  }
  time_driver* d = core->time();
  if (!d) {
    throw std::runtime_error(
        "kyoto: timers are disabled on this runtime: build it with enable_time() or enable_all()");
  }
  return *d;
}

std::uint64_t time_now_ms(time_driver& d) noexcept { return d.now_ms(); }
std::int64_t time_now_ns(time_driver& d) noexcept { return d.now_ns(); }
std::int64_t time_origin_ns(time_driver& d) noexcept { return d.origin_ns(); }
void time_register(time_driver& d, timer_entry& e, const kyoto::waker& w) {
  d.register_entry(e, w);
}
bool time_update_waker(time_driver& d, timer_entry& e, const kyoto::waker& w) {
  return d.update_waker(e, w);
}
void time_deregister(time_driver& d, timer_entry& e) noexcept { d.deregister(e); }
bool time_reset(time_driver& d, timer_entry& e, std::uint64_t deadline_ms) {
  return d.reset(e, deadline_ms);
}
bool time_paused(time_driver& d) noexcept { return d.paused(); }
void time_pause(time_driver& d) { d.pause(); }
void time_resume(time_driver& d) { d.resume(); }
void time_advance(time_driver& d, std::int64_t ns) { d.advance(std::chrono::nanoseconds(ns)); }
void time_process(time_driver& d) { d.process(); }
bool current_runtime_is_current_thread() noexcept {
  runtime_core* core = current_runtime();
  return core && core->config().kind == runtime_config::flavor::current_thread;
}

}  // namespace kyoto::detail
