// runtime_metrics: each figure counts what the runtime holds, and returns
// to its baseline when the tasks, timers, sockets and blocking jobs are gone.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "co_assert.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

class RtMetrics : public every_flavor {};
KYOTO_EVERY_FLAVOR(RtMetrics);

// Figures settle a moment after the event on a multi-thread runtime (a task
// leaves the owned list after it wakes its joiner): poll for at most 5 s.
bool eventually(const std::function<bool()>& ok) {
  for (auto end = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < end;) {
    if (ok()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return ok();
}

std::size_t expected_workers(flavor f) { return f == flavor::multi_4 ? 4 : 1; }

TEST_P(RtMetrics, AFreshRuntimeHoldsNothing) {
  auto rt = make();
  auto m = rt.metrics();
  EXPECT_EQ(m.num_workers, expected_workers(GetParam()));
  EXPECT_EQ(m.num_alive_tasks, 0u);
  EXPECT_EQ(m.global_queue_depth, 0u);
  EXPECT_EQ(m.num_timers, 0u);
  EXPECT_EQ(m.num_io_sources, 0u);
  EXPECT_EQ(m.blocking_queue_depth, 0u);
}

TEST_P(RtMetrics, AliveTasksCountSpawnsUntilTheyEnd) {
  auto rt = make();
  rt.block_on([](runtime_handle h) -> task<void> {
    kyoto::notify go;
    std::vector<join_handle<void>> hs;
    for (int i = 0; i < 50; ++i) {
      hs.push_back(kyoto::spawn([](kyoto::notify& n) -> task<void> { co_await n.notified(); }(go)));
    }
    EXPECT_EQ(h.metrics().num_alive_tasks, 50u);
    co_await kyoto::sleep(10ms);  // let them all wait
    EXPECT_EQ(h.metrics().num_alive_tasks, 50u);
    go.notify_waiters();
    for (auto& j : hs) KYOTO_CO_ASSERT(co_await std::move(j));
  }(rt.handle()));
  EXPECT_TRUE(eventually([&] { return rt.metrics().num_alive_tasks == 0; }));
}

TEST_P(RtMetrics, AnAbortedTaskIsNoLongerAlive) {
  auto rt = make();
  auto h = rt.spawn([]() -> task<void> { co_await kyoto::sleep(1h); }());
  // The current-thread runtime runs its tasks only inside block_on.
  rt.block_on([]() -> task<void> { co_await kyoto::sleep(10ms); }());
  EXPECT_TRUE(eventually([&] { return rt.metrics().num_timers == 1; }));
  EXPECT_EQ(rt.metrics().num_alive_tasks, 1u);
  h.abort();
  auto r = rt.block_on(std::move(h));
  EXPECT_FALSE(r);
  EXPECT_TRUE(eventually([&] { return rt.metrics().num_alive_tasks == 0; }));
  EXPECT_EQ(rt.metrics().num_timers, 0u);
}

TEST_P(RtMetrics, TimersCountArmedSleepsAndTimeouts) {
  auto rt = make();
  rt.block_on([](runtime_handle h) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int i = 0; i < 10; ++i) hs.push_back(kyoto::spawn(kyoto::sleep(30ms)));
    for (int i = 0; i < 5; ++i) {
      hs.push_back(kyoto::spawn([]() -> task<void> {
        (void)co_await kyoto::timeout(30ms, kyoto::sleep(1h));  // two timers
      }()));
    }
    co_await kyoto::sleep(5ms);
    EXPECT_EQ(h.metrics().num_timers, 20u);
    for (auto& j : hs) KYOTO_CO_ASSERT(co_await std::move(j));
    EXPECT_EQ(h.metrics().num_timers, 0u);
  }(rt.handle()));
}

TEST_P(RtMetrics, IoSourcesCountRegisteredSocketsUntilDropped) {
  auto rt = make();
  rt.block_on([](runtime_handle h) -> task<void> {
    {
      auto l = net::tcp_listener::bind(net::socket_addr::v4({127, 0, 0, 1}, 0));
      KYOTO_CO_ASSERT(l);
      auto addr = l->local_addr();
      KYOTO_CO_ASSERT(addr);
      auto [c, a] = co_await kyoto::join(net::tcp_stream::connect(*addr), l->accept());
      KYOTO_CO_ASSERT(c && a);
      EXPECT_EQ(h.metrics().num_io_sources, 3u);  // the listener and both ends
    }
    EXPECT_EQ(h.metrics().num_io_sources, 0u);
  }(rt.handle()));
}

TEST_P(RtMetrics, GlobalQueueDepthCountsSpawnsFromOutsideNotYetTaken) {
  auto rt = make();
  std::atomic<bool> hold{true};
  std::vector<join_handle<void>> hs;
  if (GetParam() != flavor::current_thread) {
    // Keep every worker busy so that nothing takes from the injection queue.
    std::atomic<std::size_t> busy{0};
    for (std::size_t i = 0; i < expected_workers(GetParam()); ++i) {
      hs.push_back(rt.spawn([](std::atomic<bool>& hd, std::atomic<std::size_t>& b) -> task<void> {
        ++b;
        while (hd.load()) std::this_thread::yield();
        co_return;
      }(hold, busy)));
    }
    ASSERT_TRUE(eventually([&] { return busy.load() == expected_workers(GetParam()); }));
  }
  // On the current-thread runtime nothing runs outside block_on: these wait.
  for (int i = 0; i < 7; ++i) hs.push_back(rt.spawn([]() -> task<void> { co_return; }()));
  EXPECT_EQ(rt.metrics().global_queue_depth, 7u);
  hold = false;
  for (auto& j : hs) EXPECT_TRUE(rt.block_on(std::move(j)));
  EXPECT_EQ(rt.metrics().global_queue_depth, 0u);
  EXPECT_TRUE(eventually([&] { return rt.metrics().num_alive_tasks == 0; }));
}

TEST_P(RtMetrics, BlockingPoolThreadsAndQueue) {
  auto rt = runtime::builder::multi_thread()
                .worker_threads(GetParam() == flavor::multi_4 ? 4 : 1)
                .max_blocking_threads(2)
                .enable_all()
                .build();
  std::atomic<bool> hold{true};
  std::atomic<int> started{0};
  std::vector<join_handle<void>> hs;
  for (int i = 0; i < 5; ++i) {
    hs.push_back(rt.spawn_blocking([&] {
      ++started;
      while (hold.load()) std::this_thread::sleep_for(1ms);
    }));
  }
  ASSERT_TRUE(eventually([&] { return started.load() == 2; }));
  auto m = rt.metrics();
  EXPECT_EQ(m.num_blocking_threads, 2u);
  EXPECT_EQ(m.num_idle_blocking_threads, 0u);
  EXPECT_EQ(m.blocking_queue_depth, 3u);
  hold = false;
  for (auto& j : hs) EXPECT_TRUE(rt.block_on(std::move(j)));
  EXPECT_TRUE(eventually([&] { return rt.metrics().num_idle_blocking_threads == 2; }));
  EXPECT_EQ(rt.metrics().blocking_queue_depth, 0u);
}

}  // namespace
