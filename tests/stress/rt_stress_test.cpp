// Counting and racing at scale: exactly-once completion of a million
// spawns, wake storms, the cooperative budget.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

class RtStress : public every_flavor {};
KYOTO_EVERY_FLAVOR(RtStress);

struct counters {
  std::atomic<long> runs{0};
  std::atomic<long> remaining;
  explicit counters(long n) : remaining(n) {}
};

task<void> count_once(counters& c, std::shared_ptr<manual_state> done) {
  c.runs.fetch_add(1, std::memory_order_relaxed);
  if (c.remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) done->set();
  co_return;
}

TEST_P(RtStress, MillionSpawnsCompleteExactlyOnce) {
  constexpr long n = 1'000'000;
  auto rt = make();
  counters c(n);
  auto done = std::make_shared<manual_state>();
  rt.block_on([](counters& cc, std::shared_ptr<manual_state> d) -> task<void> {
    for (long i = 0; i < n; ++i) kyoto::spawn(count_once(cc, d));
    co_await manual_future(d);
  }(c, done));
  EXPECT_EQ(c.runs.load(), n);
  EXPECT_EQ(c.remaining.load(), 0);
}

// A future that is ready once `generation` reaches `target`; it counts its
// polls and checks that it is never polled by two threads at once.
struct storm_state {
  std::atomic<long> generation{0};
  std::atomic<int> in_poll{0};
  std::atomic<long> polls{0};
  std::atomic<bool> overlap{false};
  std::mutex m;
  waker w;
};

class storm_future {
 public:
  using output_type = void;
  storm_future(storm_state& s, long target) : s_(&s), target_(target) {}
  poll_result<void> poll(context& cx) {
    if (s_->in_poll.fetch_add(1) != 0) s_->overlap = true;
    ++s_->polls;
    {
      std::lock_guard lock(s_->m);
      if (!s_->w.will_wake(cx.waker())) s_->w = cx.waker();
    }
    bool ready = s_->generation.load() >= target_;
    s_->in_poll.fetch_sub(1);
    if (ready) return poll_result<void>::ready();
    return pending;
  }

 private:
  storm_state* s_;
  long target_;
};

TEST_P(RtStress, WakeStormLosesNoWakeAndNeverPollsConcurrently) {
  auto rt = make();
  storm_state s;
  constexpr int threads = 4;
  constexpr long per_thread = 20'000;
  auto h = rt.spawn(
      [](storm_state& st) -> task<void> { co_await storm_future(st, threads * per_thread); }(s));
  std::vector<std::thread> wakers;
  for (int t = 0; t < threads; ++t) {
    wakers.emplace_back([&] {
      for (long i = 0; i < per_thread; ++i) {
        s.generation.fetch_add(1);
        waker w;
        {
          std::lock_guard lock(s.m);
          w = s.w;
        }
        w.wake();
      }
    });
  }
  // The last increment is followed by a wake, which must lead to a poll
  // that sees the final generation: block_on returns only then.
  auto r = rt.block_on(std::move(h));
  for (auto& t : wakers) t.join();
  EXPECT_TRUE(r);
  EXPECT_FALSE(s.overlap.load());
  EXPECT_GE(s.polls.load(), 1);
}

TEST(RtBudget, GreedyTaskCannotStarveATickerOnOneWorker) {
  for (bool multi : {false, true}) {
    auto rt = multi ? runtime::builder::multi_thread().worker_threads(1).build()
                    : runtime::builder::current_thread().build();
    std::atomic<int> ticks{0};
    std::atomic<long> greedy_loops{0};
    bool ok = rt.block_on([](std::atomic<int>& t, std::atomic<long>& g) -> task<bool> {
      auto greedy = kyoto::spawn([](std::atomic<int>& tt, std::atomic<long>& gg) -> task<bool> {
        // Always ready: without the budget this loop never returns to the
        // scheduler, and the ticker never runs.
        while (tt.load() < 10) {
          co_await consume_budget();
          if (++gg > 50'000'000) co_return false;
        }
        co_return true;
      }(t, g));
      auto ticker = kyoto::spawn([](std::atomic<int>& tt) -> task<void> {
        for (int i = 0; i < 10; ++i) {
          ++tt;
          co_await yield_now();
        }
      }(t));
      (co_await ticker).value();
      co_return (co_await greedy).value();
    }(ticks, greedy_loops));
    EXPECT_TRUE(ok) << (multi ? "multi-thread" : "current-thread");
    EXPECT_EQ(ticks.load(), 10);
  }
}

TEST(RtBudget, UnconstrainedSkipsTheBudget) {
  auto rt = runtime::builder::current_thread().build();
  long polls_without_yield = rt.block_on(rt.spawn([]() -> task<long> {
                                 long n = 0;
                                 co_await unconstrained([](long& k) -> task<void> {
                                   for (int i = 0; i < 1000; ++i) {
                                     co_await consume_budget();
                                     ++k;
                                   }
                                 }(n));
                                 co_return n;
                               }()))
                                 .value();
  EXPECT_EQ(polls_without_yield, 1000);
}

}  // namespace
