#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"
#include "test_futures.hpp"
#include "time/driver.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

runtime paused_runtime() { return runtime::builder::current_thread().enable_time().build(); }

std::size_t pending_timers() { return detail::current_time_driver().pending(); }

class TimeAllFlavors : public every_flavor {};
KYOTO_EVERY_FLAVOR(TimeAllFlavors);

TEST_P(TimeAllFlavors, SleepNeverWakesEarly) {
  auto rt = make();
  auto took = rt.block_on([]() -> task<instant::duration> {
    auto start = instant::now();
    co_await kyoto::sleep(50ms);
    co_return start.elapsed();
  }());
  EXPECT_GE(took, 50ms);
  EXPECT_LT(took, 5s);  // generous: only catches a timer that never fires
}

TEST_P(TimeAllFlavors, SleepInsideSpawnedTasks) {
  auto rt = make();
  int done = rt.block_on([]() -> task<int> {
    join_set<int> set;
    for (int i = 0; i < 50; ++i) {
      set.spawn([](int k) -> task<int> {
        co_await kyoto::sleep(std::chrono::milliseconds(k % 10));
        co_return 1;
      }(i));
    }
    int n = 0;
    while (auto r = co_await set.join_next()) n += r->value();
    co_return n;
  }());
  EXPECT_EQ(done, 50);
}

TEST(Time, EarlierDeadlineWakesTheWorkerParkedOnTheDriver) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).enable_time().build();
  auto took = rt.block_on([]() -> task<instant::duration> {
    auto long_sleep = kyoto::spawn([]() -> task<void> { co_await kyoto::sleep(30s); }());
    co_await kyoto::sleep(20ms);  // let a worker park with a 30 s timeout
    auto start = instant::now();
    co_await kyoto::spawn([]() -> task<void> { co_await kyoto::sleep(10ms); }());
    long_sleep.abort();
    co_return start.elapsed();
  }());
  EXPECT_LT(took, 10s);
}

TEST(Time, PausedClockFiresTenThousandTimersInDeadlineOrder) {
  auto rt = paused_runtime();
  std::vector<int> fired = rt.block_on([]() -> task<std::vector<int>> {
    time::pause();
    std::mt19937 rng(42);
    std::vector<int> deadlines(10'000);
    for (auto& d : deadlines) d = static_cast<int>(rng() % 5'000'000);  // up to ~83 min
    auto order = std::make_shared<std::vector<int>>();
    join_set<void> set;
    for (int d : deadlines) {
      set.spawn([](int ms, std::shared_ptr<std::vector<int>> o) -> task<void> {
        co_await kyoto::sleep(std::chrono::milliseconds(ms));
        o->push_back(ms);
      }(d, order));
    }
    while (co_await set.join_next()) {
    }
    co_return *order;
  }());
  ASSERT_EQ(fired.size(), 10'000u);
  EXPECT_TRUE(std::is_sorted(fired.begin(), fired.end()));
}

TEST(Time, PausedOneHourTimeoutFinishesAtOnce) {
  auto rt = paused_runtime();
  auto real_start = std::chrono::steady_clock::now();
  auto r = rt.block_on([]() -> task<result<int, elapsed>> {
    time::pause();
    auto never = std::make_shared<manual_state>();
    co_return co_await kyoto::timeout(1h, manual_future(never, 1));
  }());
  EXPECT_FALSE(r);
  EXPECT_LT(std::chrono::steady_clock::now() - real_start, 10s);
}

TEST(Time, AdvanceMovesThePausedClock) {
  auto rt = paused_runtime();
  rt.block_on([]() -> task<void> {
    time::pause();
    auto start = instant::now();
    co_await time::advance(5s);
    EXPECT_EQ(instant::now() - start, instant::duration(5s));
    bool fired = false;
    auto h = kyoto::spawn([](bool& f) -> task<void> {
      co_await kyoto::sleep(3s);
      f = true;
    }(fired));
    co_await yield_now();
    EXPECT_FALSE(fired);
    co_await time::advance(3s);
    EXPECT_TRUE(fired);
    (co_await h).value();
    time::resume();
  }());
}

TEST(Time, PauseOnMultiThreadRuntimeThrows) {
  auto rt = runtime::builder::multi_thread().worker_threads(1).enable_time().build();
  EXPECT_THROW(rt.block_on([]() -> task<void> {
    time::pause();
    co_return;
  }()),
               std::logic_error);
}

TEST(Time, DroppedSleepsLeaveTheWheelEmpty) {
  auto rt = paused_runtime();
  rt.block_on([]() -> task<void> {
    counting_waker_state ws;
    waker w = make_counting_waker(ws);
    context cx(w);
    for (int i = 0; i < 1'000'000; ++i) {
      kyoto::sleep s(std::chrono::seconds(1 + i % 1000));
      EXPECT_TRUE(s.poll(cx).is_pending());
      if (i == 0) {
        EXPECT_EQ(pending_timers(), 1u);
      }
    }
    EXPECT_EQ(pending_timers(), 0u);
    co_return;
  }());
}

TEST(Time, TimeoutAroundAReadyFutureLeavesNoTimer) {
  auto rt = paused_runtime();
  rt.block_on([]() -> task<void> {
    auto r = co_await kyoto::timeout(1s, ready_future<int>(7));
    EXPECT_TRUE(r);
    EXPECT_EQ(*r, 7);
    EXPECT_EQ(pending_timers(), 0u);
    auto rv = co_await kyoto::timeout(1s, yield_now());
    EXPECT_TRUE(rv);
  }());
}

TEST(Time, TimeoutElapsesAndCancelsTheInnerFuture) {
  auto rt = paused_runtime();
  std::atomic<int> drops{0};
  rt.block_on([](std::atomic<int>& d) -> task<void> {
    time::pause();
    auto never = std::make_shared<manual_state>();
    auto r = co_await kyoto::timeout(10ms, hold_until(drop_token(d), never));
    EXPECT_FALSE(r);
  }(drops));
  EXPECT_EQ(drops.load(), 1);
}

TEST(Time, ZeroNegativeAndFarDeadlines) {
  auto rt = paused_runtime();
  rt.block_on([]() -> task<void> {
    time::pause();
    co_await kyoto::sleep(0ms);
    co_await kyoto::sleep(-5s);
    co_await kyoto::sleep_until(instant::now() - 1h);
    auto start = instant::now();
    co_await kyoto::sleep(std::chrono::hours(24 * 40));  // 40 days
    EXPECT_GE(instant::now() - start, std::chrono::hours(24 * 40));
    co_await kyoto::sleep(std::chrono::hours(24 * 365 * 3000));  // beyond the wheel: clamped
    EXPECT_EQ(pending_timers(), 0u);
  }());
}

TEST(Time, ResetMovesADeadlineEarlierAndLater) {
  auto rt = paused_runtime();
  rt.block_on([]() -> task<void> {
    time::pause();
    auto start = instant::now();
    kyoto::sleep s(10s);
    counting_waker_state ws;
    waker w = make_counting_waker(ws);
    context cx(w);
    EXPECT_TRUE(s.poll(cx).is_pending());
    s.reset(start + 1s);
    co_await s;
    EXPECT_EQ(instant::now() - start, instant::duration(1s));
    kyoto::sleep later(1s);
    later.reset(instant::now() + 5s);
    co_await later;
    EXPECT_EQ(instant::now() - start, instant::duration(6s));
  }());
}

task<std::vector<long>> ticks_ms(missed_tick_behavior b) {
  time::pause();
  auto start = instant::now();
  kyoto::interval iv(10ms);
  iv.set_missed_tick_behavior(b);
  std::vector<long> at;
  for (int i = 0; i < 5; ++i) {
    instant t = co_await iv.tick();
    at.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(t - start).count());
    if (i == 1) co_await time::advance(35ms);  // the task is late: ticks were missed
  }
  co_return at;
}

TEST(Time, IntervalBurstFiresMissedTicksBackToBack) {
  auto rt = paused_runtime();
  EXPECT_EQ(rt.block_on(ticks_ms(missed_tick_behavior::burst)),
            (std::vector<long>{0, 10, 20, 30, 40}));
}

TEST(Time, IntervalDelayRestartsFromNow) {
  auto rt = paused_runtime();
  // Late at 45 ms: the missed tick fires at once (scheduled 20), the next
  // one period after that.
  EXPECT_EQ(rt.block_on(ticks_ms(missed_tick_behavior::delay)),
            (std::vector<long>{0, 10, 20, 55, 65}));
}

TEST(Time, IntervalSkipKeepsTheOriginalSchedule) {
  auto rt = paused_runtime();
  EXPECT_EQ(rt.block_on(ticks_ms(missed_tick_behavior::skip)),
            (std::vector<long>{0, 10, 20, 50, 60}));
}

TEST(Time, SleepOutsideARuntimeThrowsAClearError) {
  try {
    kyoto::sleep s(1s);
    FAIL() << "sleep outside a runtime must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("runtime"), std::string::npos);
  }
  auto rt = runtime::builder::current_thread().build();  // no time
  try {
    rt.block_on([]() -> task<void> { co_await kyoto::sleep(1s); }());
    FAIL() << "sleep without enable_time must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("enable_time"), std::string::npos);
  }
}

}  // namespace
