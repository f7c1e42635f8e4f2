// Timer storm: many tasks sleep, sleep_until, time out, reset and cancel
// sleeps of random lengths at once. No sleep completes before its
// deadline (on kyoto's clock, and on steady_clock when the clock is real),
// every timer that was not cancelled completes, and no timer entry is left
// in the driver at the end. Under the real clock on every flavour, and
// under the paused clock (which jumps to the next timer when idle, so
// every sleep completes on its deadline's millisecond) on current-thread.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <sstream>
#include <string>
#include <variant>

#include "co_assert.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"
#include "stress_duration.hpp"
#include "time/driver.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

class TimerStorm : public every_flavor {};
KYOTO_EVERY_FLAVOR(TimerStorm);

struct timer_storm {
  static constexpr int tasks = 64;
  bool paused = false;
  long max_ops = scaled(100'000);  // per task
  std::chrono::microseconds max_sleep{5000};
  storm_deadline deadline;
  std::atomic<long> progress{0};
  std::atomic<long> started{0};
  std::atomic<long> completed{0};
  std::atomic<long> cancelled{0};
  std::atomic<long> early{0};         // completed before the deadline
  std::atomic<long> late_paused{0};   // paused clock: not on the deadline's millisecond
  std::atomic<long> timeout_lost{0};  // the earlier inner sleep lost to its timeout
  std::atomic<int> tasks_alive{tasks};
  std::string report() const {
    std::ostringstream os;
    os << "tasks alive " << tasks_alive << ", timers started " << started << ", completed "
       << completed << ", cancelled " << cancelled;
    return os.str();
  }
  std::chrono::microseconds random_sleep(std::mt19937& rng) const {
    return std::chrono::microseconds(rng() % static_cast<unsigned>(max_sleep.count() + 1));
  }
  // A timer with this deadline has just completed.
  void done(instant due, bool exact = false) {
    auto now = instant::now();
    if (now < due) ++early;
    if (!paused && std::chrono::steady_clock::now() < due.to_steady()) ++early;
    if (paused && exact && now - due >= 1ms) ++late_paused;
    ++completed;
    progress.fetch_add(1, std::memory_order_relaxed);
  }
};

task<void> sleeper(timer_storm& s, std::chrono::microseconds d) {
  auto sl = kyoto::sleep(d);
  auto dl = sl.deadline();
  co_await std::move(sl);
  s.done(dl, true);
}

task<void> timer_user(timer_storm& s, unsigned seed) {
  std::mt19937 rng(seed);
  for (long i = 0; i < s.max_ops && !s.deadline.passed(); ++i) {
    auto d = s.random_sleep(rng);
    switch (rng() % 6) {
      case 0: {
        ++s.started;
        co_await sleeper(s, d);
        break;
      }
      case 1: {
        ++s.started;
        auto dl = instant::now() + d;
        co_await kyoto::sleep_until(dl);
        s.done(dl, true);
        break;
      }
      case 2: {  // a sleep inside a timeout: one of the two timers is cancelled
        s.started += 2;
        auto t = s.random_sleep(rng);
        auto start = instant::now();
        auto r = co_await kyoto::timeout(t, kyoto::sleep(d));
        ++s.cancelled;
        if (r) {
          s.done(start + d);
        } else {
          s.done(start + t);
          // The inner sleep's deadline is 2 ms earlier: it fired first, and
          // the inner future is polled before the timeout's own timer.
          if (d + 2ms <= t) ++s.timeout_lost;
        }
        break;
      }
      case 3: {  // reset while a task waits on it, earlier or later
        ++s.started;
        auto sl = kyoto::sleep(d);
        auto r = co_await kyoto::select(sl, yield_now());
        if (r.index() == 0) {
          s.done(sl.deadline());
          break;
        }
        sl.reset(instant::now() + s.random_sleep(rng));
        co_await sl;
        s.done(sl.deadline());
        break;
      }
      case 4: {  // two sleeps raced: the loser is cancelled by drop
        s.started += 2;
        auto a = kyoto::sleep(d);
        auto b = kyoto::sleep(s.random_sleep(rng));
        auto r = co_await kyoto::select(a, b);
        s.done(r.index() == 0 ? a.deadline() : b.deadline());
        ++s.cancelled;
        break;
      }
      default: {  // a sleeping task, aborted after a while (or not in time)
        ++s.started;
        auto h = kyoto::spawn(sleeper(s, d));
        if (rng() % 2) {
          co_await yield_now();
        } else {
          co_await kyoto::sleep(s.random_sleep(rng));
        }
        h.abort();
        auto r = co_await h;
        if (!r) {
          KYOTO_CO_ASSERT(r.error().is_cancelled());
          ++s.cancelled;
        }
        break;
      }
    }
  }
  --s.tasks_alive;
}

void run_timer_storm(runtime& rt, timer_storm& s, unsigned seed) {
  progress_watchdog dog("timer", s.progress, [&s] { return s.report(); });
  std::size_t left = rt.block_on([](timer_storm& st, unsigned sd) -> task<std::size_t> {
    if (st.paused) time::pause();
    join_set<void> tasks;
    for (int i = 0; i < timer_storm::tasks; ++i)
      tasks.spawn(timer_user(st, sd + static_cast<unsigned>(i)));
    while (auto r = co_await tasks.join_next()) EXPECT_TRUE(*r) << "a storm task failed";
    co_return detail::current_time_driver().pending();
  }(s, seed));
  EXPECT_EQ(s.tasks_alive.load(), 0);
  EXPECT_EQ(left, 0u) << "timer entries left in the driver";
  EXPECT_EQ(s.early.load(), 0) << s.report();
  EXPECT_EQ(s.timeout_lost.load(), 0);
  EXPECT_EQ(s.started.load(), s.completed.load() + s.cancelled.load()) << s.report();
  EXPECT_GT(s.completed.load(), 0);
}

TEST_P(TimerStorm, NoSleepCompletesEarlyAndEveryUncancelledOneCompletes) {
  unsigned seed = storm_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (KYOTO_STRESS_SEED)");
  auto rt = make();
  timer_storm s;
  run_timer_storm(rt, s, seed);
  expect_runtime_quiet(rt);
}

TEST(TimerStormPaused, EverySleepCompletesOnItsDeadlineMillisecond) {
  unsigned seed = storm_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (KYOTO_STRESS_SEED)");
  auto rt = runtime::builder::current_thread().enable_time().build();
  timer_storm s;
  s.paused = true;
  s.max_sleep = 200ms;  // free under a paused clock
  run_timer_storm(rt, s, seed);
  expect_runtime_quiet(rt);
  EXPECT_EQ(s.late_paused.load(), 0) << s.report();
}

}  // namespace
