#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kyoto/combinators.hpp"
#include "kyoto/core.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

task<int> after_yields(int yields, int value) {
  for (int i = 0; i < yields; ++i) co_await yield_now();
  co_return value;
}

task<void> after_yields_void(int yields, int& flag) {
  for (int i = 0; i < yields; ++i) co_await yield_now();
  flag = 1;
}

TEST(Join, AllBranchesCompleteConcurrently) {
  int flag = 0;
  auto t = [](int& f) -> task<int> {
    auto [a, b, c, d] = co_await join(after_yields(3, 1), after_yields(1, 2), ready_future<int>(3),
                                      after_yields_void(2, f));
    static_assert(std::is_same_v<decltype(d), std::monostate>);
    co_return a + b + c;
  }(flag);
  EXPECT_EQ(block_on(std::move(t)), 6);
  EXPECT_EQ(flag, 1);
}

TEST(Join, BranchesInterleave) {
  std::vector<int> order;
  auto step = [](std::vector<int>& o, int id) -> task<void> {
    for (int i = 0; i < 2; ++i) {
      o.push_back(id);
      co_await yield_now();
    }
  };
  block_on(join(step(order, 1), step(order, 2)));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 1, 2}));
}

TEST(Join, OfN) {
  std::vector<task<int>> ts;
  auto t = []() -> task<int> {
    auto tup = co_await join(after_yields(1, 1), after_yields(2, 2), after_yields(3, 3),
                             after_yields(4, 4), after_yields(5, 5), after_yields(6, 6),
                             after_yields(7, 7), after_yields(8, 8));
    co_return std::apply([](auto... v) { return (v + ...); }, tup);
  }();
  EXPECT_EQ(block_on(std::move(t)), 36);
}

task<int> throws_after(int yields) {
  for (int i = 0; i < yields; ++i) co_await yield_now();
  throw std::runtime_error("branch failed");
}

TEST(Join, ExceptionInABranchPropagates) {
  auto t = []() -> task<int> {
    auto [a, b] = co_await join(after_yields(5, 1), throws_after(1));
    co_return a + b;
  }();
  EXPECT_THROW(block_on(std::move(t)), std::runtime_error);
}

task<int> pending_with_guard(std::atomic<int>& drops, std::shared_ptr<manual_state> s) {
  drop_counter guard(drops);
  co_return co_await manual_future(s, 100);
}

TEST(Select, FirstFinishedWinsAndLosersAreDestroyed) {
  std::atomic<int> drops{0};
  auto s = std::make_shared<manual_state>();
  auto t = [](std::atomic<int>& d, std::shared_ptr<manual_state> st) -> task<int> {
    auto r = co_await select(pending_with_guard(d, st), after_yields(2, 7));
    EXPECT_EQ(d.load(), 1);  // the loser is gone before we even look
    EXPECT_EQ(r.index(), 1u);
    co_return std::get<1>(r);
  }(drops, s);
  EXPECT_EQ(block_on(std::move(t)), 7);
  EXPECT_EQ(drops.load(), 1);
  EXPECT_EQ(s->polls.load(), 3);  // polled on each of the 3 polls of the select
}

TEST(Select, EarlierBranchWinsWhenBothReady) {
  auto r = block_on(select(ready_future<int>(1), ready_future<std::string>("two")));
  EXPECT_EQ(r.index(), 0u);
  EXPECT_EQ(std::get<0>(r), 1);
}

TEST(Select, VoidBranchGivesMonostate) {
  int flag = 0;
  auto r = block_on(select(after_yields_void(1, flag), after_yields(5, 3)));
  EXPECT_EQ(r.index(), 0u);
  EXPECT_EQ(flag, 1);
}

TEST(Select, ExceptionPropagates) {
  EXPECT_THROW((void)block_on(select(throws_after(0), after_yields(5, 1))), std::runtime_error);
}

TEST(Race, GivesTheWinnersValue) {
  EXPECT_EQ(block_on(race(after_yields(3, 30), after_yields(1, 10), after_yields(2, 20))), 10);
}

task<result<int, std::string>> ok_after(int yields, int v) {
  for (int i = 0; i < yields; ++i) co_await yield_now();
  co_return v;
}
task<result<int, std::string>> fail_after(int yields, std::string why) {
  for (int i = 0; i < yields; ++i) co_await yield_now();
  co_return err(std::move(why));
}
task<result<void, std::string>> ok_void() { co_return result<void, std::string>(); }

TEST(TryJoin, AllOk) {
  auto r = block_on(try_join(ok_after(2, 1), ok_after(1, 2), ok_void()));
  ASSERT_TRUE(r);
  auto [a, b, c] = *r;
  EXPECT_EQ(a + b, 3);
  (void)c;
}

TEST(TryJoin, FirstErrorWinsAndCancelsTheRest) {
  std::atomic<int> drops{0};
  auto s = std::make_shared<manual_state>();
  auto wrap = [](std::atomic<int>& d,
                 std::shared_ptr<manual_state> st) -> task<result<int, std::string>> {
    co_return co_await pending_with_guard(d, st);
  };
  auto r = block_on(try_join(wrap(drops, s), fail_after(2, "first"), fail_after(3, "second")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "first");
  EXPECT_EQ(drops.load(), 1);
}

}  // namespace
