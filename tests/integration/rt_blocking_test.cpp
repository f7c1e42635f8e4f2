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

TEST_P(RtSpawn, SpawnBlockingReturnsItsValue) {
  auto rt = make();
  int v = rt.block_on([]() -> task<int> {
    auto h = kyoto::spawn_blocking([] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return 7;
    });
    co_return (co_await h).value();
  }());
  EXPECT_EQ(v, 7);
}

TEST_P(RtSpawn, SpawnBlockingExceptionIsAPanic) {
  auto rt = make();
  auto r = rt.block_on(rt.spawn_blocking([]() -> int { throw std::logic_error("blocking"); }));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_panic());
}

TEST(RtBlocking, SaturationQueuesJobsAndWorkersStayResponsive) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).max_blocking_threads(2).build();
  std::atomic<int> running{0}, max_running{0}, finished{0};
  std::vector<join_handle<void>> hs;
  for (int i = 0; i < 12; ++i) {
    hs.push_back(rt.spawn_blocking([&] {
      int now = ++running;
      int m = max_running.load();
      while (now > m && !max_running.compare_exchange_weak(m, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      --running;
      ++finished;
    }));
  }
  // Async work completes while the blocking pool is saturated.
  EXPECT_EQ(rt.block_on(rt.spawn(add_after_yield(1, 1))).value(), 2);
  for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)));
  EXPECT_EQ(finished.load(), 12);
  EXPECT_LE(max_running.load(), 2);
}

}  // namespace
