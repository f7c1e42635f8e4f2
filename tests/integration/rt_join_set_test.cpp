#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "rt_spawn_fixture.hpp"
#include "runtime_flavors.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

TEST_P(RtSpawn, JoinSetJoinsEverythingInCompletionOrder) {
  auto rt = make();
  long sum = rt.block_on([]() -> task<long> {
    join_set<int> set;
    for (int i = 1; i <= 100; ++i) set.spawn(add_after_yield(i, 0));
    EXPECT_EQ(set.size(), 100u);
    long total = 0;
    int count = 0;
    while (auto r = co_await set.join_next()) {
      total += r->value();
      ++count;
    }
    EXPECT_EQ(count, 100);
    EXPECT_TRUE(set.empty());
    co_return total;
  }());
  EXPECT_EQ(sum, 5050);
}

// try_join_next hands out finished tasks without waiting, and nothing
// while they run; join_next afterwards still gets its wake-up.
TEST_P(RtSpawn, TryJoinNextTakesOnlyFinishedTasks) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    join_set<int> set;
    EXPECT_FALSE(set.try_join_next());  // empty
    auto gate = std::make_shared<manual_state>();
    set.spawn([](std::shared_ptr<manual_state> g) -> task<int> {
      int v = co_await manual_future(g, 7);
      co_return v;
    }(gate));
    for (int i = 0; i < 10; ++i) co_await yield_now();
    EXPECT_FALSE(set.try_join_next());  // still waiting on the gate
    EXPECT_EQ(set.size(), 1u);
    for (int i = 1; i <= 5; ++i) set.spawn(add_after_yield(i, 0));
    int taken = 0, sum = 0;
    // Bounded in time, not in spins: on a loaded machine the workers may
    // take a while to pick the tasks up.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (taken < 5 && std::chrono::steady_clock::now() < deadline) {
      if (auto r = set.try_join_next()) {
        sum += r->value();
        ++taken;
      } else {
        co_await yield_now();
      }
    }
    EXPECT_EQ(taken, 5);
    EXPECT_EQ(sum, 15);
    EXPECT_EQ(set.size(), 1u);
    // The gated task is left: try_join_next does not wait for it, and the
    // polls it made with its own (no-op) waker do not keep join_next from
    // being woken when the task finishes.
    EXPECT_FALSE(set.try_join_next());
    auto opener = spawn([](std::shared_ptr<manual_state> g) -> task<void> {
      co_await yield_now();
      g->set();
    }(gate));
    auto last = co_await set.join_next();
    EXPECT_TRUE(last && last->value() == 7);
    EXPECT_FALSE(set.try_join_next());
    EXPECT_TRUE(set.empty());
    (void)co_await opener;
  }());
}

TEST_P(RtSpawn, DestroyedJoinSetAbortsItsTasks) {
  auto rt = make();
  std::atomic<int> drops{0};
  auto s = std::make_shared<manual_state>();
  rt.block_on([](std::atomic<int>& d, std::shared_ptr<manual_state> st) -> task<void> {
    {
      join_set<void> set;
      for (int i = 0; i < 10; ++i) set.spawn(hold_until(drop_token(d), st));
      co_await yield_now();
    }
    // Aborted tasks are cancelled at their next scheduling; let them run.
    while (d.load() < 10) co_await yield_now();
  }(drops, s));
  EXPECT_EQ(drops.load(), 10);
}

TEST_P(RtSpawn, JoinSetReportsAbortedTasksAsCancelled) {
  auto rt = make();
  std::atomic<int> drops{0};
  auto s = std::make_shared<manual_state>();
  int cancelled =
      rt.block_on([](std::atomic<int>& d, std::shared_ptr<manual_state> st) -> task<int> {
        join_set<void> set;
        for (int i = 0; i < 5; ++i) set.spawn(hold_until(drop_token(d), st));
        set.abort_all();
        int n = 0;
        while (auto r = co_await set.join_next()) n += (!*r && r->error().is_cancelled());
        co_return n;
      }(drops, s));
  EXPECT_EQ(cancelled, 5);
  EXPECT_EQ(drops.load(), 5);
}

}  // namespace
