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
