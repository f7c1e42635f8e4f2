#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

async_generator<int> count_to(int n, bool& started) {
  started = true;
  for (int i = 1; i <= n; ++i) {
    co_await yield_now();  // generators may await
    co_yield i;
  }
}

TEST(Generator, IsLazyAndYieldsInOrder) {
  bool started = false;
  auto g = count_to(5, started);
  EXPECT_FALSE(started);
  auto all = block_on(collect(std::move(g)));
  EXPECT_TRUE(started);
  EXPECT_EQ(all, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(Generator, NextLoop) {
  bool started = false;
  int sum = block_on([](bool& s) -> task<int> {
    auto g = count_to(10, s);
    int total = 0;
    while (auto v = co_await kyoto::next(g)) total += *v;
    co_return total;
  }(started));
  EXPECT_EQ(sum, 55);
}

async_generator<int> fails_after(int n) {
  for (int i = 0; i < n; ++i) co_yield i;
  throw std::runtime_error("generator failed");
}

TEST(Generator, ExceptionPropagatesToTheConsumer) {
  auto t = []() -> task<int> {
    auto g = fails_after(2);
    int seen = 0;
    try {
      while (auto v = co_await kyoto::next(g)) ++seen;
    } catch (const std::runtime_error&) {
      co_return seen;
    }
    co_return -1;
  }();
  EXPECT_EQ(block_on(std::move(t)), 2);
}

async_generator<int> holds(std::atomic<int>& drops) {
  drop_counter guard(drops);
  for (int i = 0;; ++i) co_yield i;
}

TEST(Generator, DestroyingMidStreamCancelsIt) {
  std::atomic<int> drops{0};
  block_on([](std::atomic<int>& d) -> task<void> {
    auto g = holds(d);
    EXPECT_EQ(co_await kyoto::next(g), 0);
    EXPECT_EQ(co_await kyoto::next(g), 1);
  }(drops));
  EXPECT_EQ(drops.load(), 1);
}

async_generator<int> range(int from, int to) {
  for (int i = from; i < to; ++i) co_yield i;
}

TEST(Adapters, MapFilterTakeChunksCollect) {
  auto s = chunks(take(filter(map(range(0, 100), [](int x) { return x * 3; }),
                              [](const int& x) { return x % 2 == 0; }),
                       7),
                  3);
  auto all = block_on(collect(std::move(s)));
  EXPECT_EQ(all, (std::vector<std::vector<int>>{{0, 6, 12}, {18, 24, 30}, {36}}));
}

TEST(Adapters, ThenAwaitsEachItem) {
  auto s = then(range(1, 4), [](int x) -> task<std::string> {
    co_await yield_now();
    co_return std::to_string(x * 10);
  });
  EXPECT_EQ(block_on(collect(std::move(s))), (std::vector<std::string>{"10", "20", "30"}));
}

TEST(Adapters, MergeInterleavesAndEndsWhenBothEnd) {
  auto all = block_on(collect(merge(range(0, 3), range(10, 15))));
  ASSERT_EQ(all.size(), 8u);
  std::vector<int> a, b;
  for (int v : all) (v < 10 ? a : b).push_back(v);
  EXPECT_EQ(a, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(b, (std::vector<int>{10, 11, 12, 13, 14}));
}

async_generator<int> slow_second() {
  co_yield 1;
  co_await kyoto::sleep(1h);
  co_yield 2;
}

TEST(Adapters, TimeoutMarksLateItems) {
  auto rt = runtime::builder::current_thread().enable_time().build();
  auto items = rt.block_on([]() -> task<std::vector<bool>> {
    time::pause();
    auto s = take(kyoto::timeout(10ms, slow_second()), 2);
    std::vector<bool> ok;
    while (auto v = co_await kyoto::next(s)) ok.push_back(v->has_value());
    co_return ok;
  }());
  EXPECT_EQ(items, (std::vector<bool>{true, false}));
}

// A type that is a future and a stream at once: timeout(dur, x) times it
// as a future (the documented rule).
struct future_and_stream {
  using output_type = int;
  using item_type = int;
  poll_result<int> poll(context&) { return 1; }
  poll_result<std::optional<int>> poll_next(context&) { return std::optional<int>(2); }
};

template <class S>
concept takes_old_timeout_order = requires(S s) { kyoto::timeout(std::move(s), 1ms); };

TEST(Adapters, TimeoutTakesTheDurationFirstAndPrefersTheFutureForm) {
  static_assert(future<future_and_stream> && stream<future_and_stream>);
  static_assert(std::is_same_v<decltype(kyoto::timeout(1s, future_and_stream{})),
                               timeout_future<future_and_stream>>);
  static_assert(std::is_same_v<decltype(kyoto::timeout(1s, std::declval<async_generator<int>>())),
                               timeout_stream<async_generator<int>>>);
  static_assert(!takes_old_timeout_order<async_generator<int>>);
  auto r = block_on(kyoto::timeout(1s, future_and_stream{}));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 1);
  auto items = timeout_stream<future_and_stream>(1s, future_and_stream{});
  auto first = block_on(kyoto::next(items));
  ASSERT_TRUE(first && *first);
  EXPECT_EQ(**first, 2);
}

TEST(Streams, MpscReceiverIntervalAndBroadcastAreStreams) {
  static_assert(stream<mpsc::receiver<int>>);
  static_assert(stream<broadcast::receiver<int>>);
  static_assert(stream<interval>);
  static_assert(stream<async_generator<int>>);
  auto rt = runtime::builder::current_thread().enable_time().build();
  auto got = rt.block_on([]() -> task<std::vector<int>> {
    auto [tx, rx] = mpsc::channel<int>(8);
    for (int i = 0; i < 5; ++i) (void)tx.try_send(i);
    { auto gone = std::move(tx); }
    co_return co_await collect(std::move(rx));
  }());
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
  auto ticks = rt.block_on([]() -> task<std::size_t> {
    time::pause();
    auto all = co_await collect(take(interval(5ms), 4));
    co_return all.size();
  }());
  EXPECT_EQ(ticks, 4u);
}

TEST(Sinks, SendAndForwardIntoAnMpscSender) {
  static_assert(sink<mpsc::sender<int>, int>);
  auto rt = runtime::builder::multi_thread().worker_threads(2).build();
  auto got = rt.block_on([]() -> task<std::vector<int>> {
    auto [tx, rx] = mpsc::channel<int>(2);  // small: forward must wait for room
    auto consumer = kyoto::spawn([](mpsc::receiver<int> r) -> task<std::vector<int>> {
      co_return co_await collect(std::move(r));
    }(std::move(rx)));
    EXPECT_TRUE(co_await kyoto::send(tx, -1));
    EXPECT_TRUE(co_await kyoto::forward(range(0, 50), tx));
    { auto gone = std::move(tx); }
    co_return (co_await consumer).value();
  }());
  ASSERT_EQ(got.size(), 51u);
  EXPECT_EQ(got.front(), -1);
  EXPECT_EQ(got.back(), 49);
}

}  // namespace
