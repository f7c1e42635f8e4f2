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

TEST_P(RtSpawn, ShutdownCancelsEveryPendingTask) {
  std::atomic<int> drops{0};
  auto s = std::make_shared<manual_state>();
  constexpr int n = 100'000;
  {
    auto rt = make();
    rt.block_on([](std::atomic<int>& d, std::shared_ptr<manual_state> st) -> task<void> {
      for (int i = 0; i < n; ++i) kyoto::spawn(hold_until(drop_token(d), st));
      co_return;
    }(drops, s));
  }
  EXPECT_EQ(drops.load(), n);
}

TEST_P(RtSpawn, SpawnDuringShutdownIsCancelled) {
  std::atomic<int> drops{0};
  auto s = std::make_shared<manual_state>();
  // Destroyed during shutdown, it spawns: that task must be cancelled too.
  struct spawns_on_drop {
    std::atomic<int>* d;
    std::shared_ptr<manual_state> st;
    runtime_handle h;
    spawns_on_drop(std::atomic<int>& dd, std::shared_ptr<manual_state> s2, runtime_handle hh)
        : d(&dd), st(std::move(s2)), h(std::move(hh)) {}
    spawns_on_drop(spawns_on_drop&& o) noexcept
        : d(std::exchange(o.d, nullptr)), st(o.st), h(o.h) {}
    ~spawns_on_drop() {
      if (d) h.spawn(hold_until(drop_token(*d), st));
    }
  };
  {
    auto rt = make();
    auto h = rt.handle();
    rt.spawn([](spawns_on_drop g, std::shared_ptr<manual_state> st) -> task<void> {
      co_await manual_future(st);
      (void)g;
    }(spawns_on_drop(drops, s, h), s));
    rt.block_on(yield_now());
  }
  EXPECT_EQ(drops.load(), 1);
}

}  // namespace

namespace {

// The jobs below outlive their runtime (that is the point), so what they
// touch is shared with them, not on the test's stack.
TEST(RtShutdown, ShutdownTimeoutDoesNotWaitForeverForBlockingJobs) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto start = std::chrono::steady_clock::now();
  {
    auto rt = runtime::builder::multi_thread().worker_threads(1).build();
    (void)rt.spawn_blocking([release] {
      while (!release->load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the job is running
    rt.shutdown_timeout(std::chrono::milliseconds(50));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  *release = true;  // the detached job finishes on its own
}

TEST(RtShutdown, BlockingJobsQueuedAtShutdownAreCancelled) {
  auto go = std::make_shared<std::atomic<bool>>(false);
  auto ran = std::make_shared<std::atomic<int>>(0);
  std::vector<join_handle<void>> queued;
  {
    auto rt = runtime::builder::current_thread().max_blocking_threads(1).build();
    (void)rt.spawn_blocking([go] {
      while (!go->load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the only thread is busy
    for (int i = 0; i < 5; ++i) queued.push_back(rt.spawn_blocking([ran] { ++*ran; }));
    rt.shutdown_timeout(std::chrono::milliseconds(20));
  }
  *go = true;
  for (auto& h : queued) {
    auto r = block_on(std::move(h));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is_cancelled());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(ran->load(), 0);
}

}  // namespace
