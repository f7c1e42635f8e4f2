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

TEST_P(RtSpawn, DroppedHandleDetachesTheTask) {
  auto rt = make();
  auto done = std::make_shared<manual_state>();
  rt.block_on([](std::shared_ptr<manual_state> d) -> task<void> {
    {
      auto h = kyoto::spawn([](std::shared_ptr<manual_state> d2) -> task<void> {
        co_await yield_now();
        d2->set();
      }(d));
    }  // dropped
    co_await manual_future(d);
  }(done));
  EXPECT_TRUE(done->ready.load());
}

task<void> wait_forever(std::atomic<int>& drops, std::shared_ptr<manual_state> s) {
  drop_counter guard(drops);
  co_await manual_future(s);
}

TEST_P(RtSpawn, AbortWhileSuspendedCancelsAndRunsDestructors) {
  auto rt = make();
  std::atomic<int> drops{0};
  auto s = std::make_shared<manual_state>();
  auto h = rt.spawn(wait_forever(drops, s));
  while (s->polls.load() == 0) rt.block_on(yield_now());
  EXPECT_FALSE(h.is_finished());
  h.abort();
  auto r = rt.block_on(std::move(h));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_cancelled());
  EXPECT_EQ(drops.load(), 1);
}

TEST(RtAbort, AbortBeforeFirstPollNeverRunsTheBody) {
  auto rt = runtime::builder::current_thread().build();
  bool ran = false;
  auto h = rt.spawn([](bool& r) -> task<void> {
    r = true;
    co_return;
  }(ran));
  h.abort();
  auto r = rt.block_on(std::move(h));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_cancelled());
  EXPECT_FALSE(ran);
}

TEST_P(RtSpawn, AbortAfterCompletionKeepsTheValue) {
  auto rt = make();
  auto h = rt.spawn(add_after_yield(4, 5));
  while (!h.is_finished()) rt.block_on(yield_now());
  h.abort();
  auto r = rt.block_on(std::move(h));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 9);
}

TEST_P(RtSpawn, AbortFromAnotherThread) {
  auto rt = make();
  std::atomic<int> drops{0};
  auto s = std::make_shared<manual_state>();
  auto h = rt.spawn(wait_forever(drops, s));
  std::thread aborter([&] {
    while (s->polls.load() == 0) std::this_thread::yield();
    h.abort();
  });
  if (GetParam() == flavor::current_thread) {
    // The task only runs inside block_on on this runtime.
    while (s->polls.load() == 0) rt.block_on(yield_now());
  }
  aborter.join();
  auto r = rt.block_on(std::move(h));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_cancelled());
  EXPECT_EQ(drops.load(), 1);
}

}  // namespace
