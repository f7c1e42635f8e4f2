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

KYOTO_EVERY_FLAVOR(RtSpawn);

TEST_P(RtSpawn, SpawnAndAwaitInsideBlockOn) {
  auto rt = make();
  int v = rt.block_on([]() -> task<int> {
    auto h = kyoto::spawn(add_after_yield(2, 3));
    auto r = co_await h;
    co_return r.value();
  }());
  EXPECT_EQ(v, 5);
}

TEST_P(RtSpawn, SpawnFromOutsideThenAwaitInBlockOn) {
  auto rt = make();
  auto h = rt.spawn(add_after_yield(20, 22));
  auto r = rt.block_on(std::move(h));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
}

TEST_P(RtSpawn, HandleCurrentInsideAndThrowsOutside) {
  auto rt = make();
  EXPECT_THROW((void)runtime::handle::current(), std::runtime_error);
  int v = rt.block_on([]() -> task<int> {
    auto h = runtime::handle::current();
    co_return (co_await h.spawn(add_after_yield(1, 1))).value();
  }());
  EXPECT_EQ(v, 2);
}

TEST(RtSpawnOutside, SpawnOutsideARuntimeThrowsWithAMessage) {
  try {
    kyoto::spawn(add_after_yield(1, 2));
    FAIL() << "spawn outside a runtime must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("outside a runtime"), std::string::npos);
  }
}

task<int> thrower() {
  co_await yield_now();
  throw std::runtime_error("task failed");
}

TEST_P(RtSpawn, ExceptionBecomesPanicAndRuntimeSurvives) {
  std::atomic<int> hook_calls{0};
  auto rt = [&] {
    switch (GetParam()) {
      case flavor::current_thread:
        return runtime::builder::current_thread()
            .on_task_panic([&](const std::exception_ptr&) { ++hook_calls; })
            .build();
      default:
        return runtime::builder::multi_thread()
            .worker_threads(GetParam() == flavor::multi_1 ? 1 : 4)
            .on_task_panic([&](const std::exception_ptr&) { ++hook_calls; })
            .build();
    }
  };
  auto r = rt();
  auto res = r.block_on(r.spawn(thrower()));
  ASSERT_FALSE(res);
  EXPECT_TRUE(res.error().is_panic());
  EXPECT_FALSE(res.error().is_cancelled());
  try {
    std::rethrow_exception(res.error().exception());
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "task failed");
  }
  EXPECT_EQ(hook_calls.load(), 1);
  EXPECT_EQ(r.block_on(r.spawn(add_after_yield(1, 2))).value(), 3);
}

TEST_P(RtSpawn, YieldNowLetsOthersRun) {
  auto rt = make();
  std::atomic<int> counter{0};
  rt.block_on([](std::atomic<int>& c) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int i = 0; i < 8; ++i) {
      hs.push_back(kyoto::spawn([](std::atomic<int>& cc) -> task<void> {
        for (int k = 0; k < 100; ++k) {
          ++cc;
          co_await yield_now();
        }
      }(c)));
    }
    for (auto& h : hs) (co_await h).value();
  }(counter));
  EXPECT_EQ(counter.load(), 800);
}

}  // namespace

namespace {

// ---- the task's memory: one block per spawned task<T>

task<int> plus_one(int v) {
  co_await yield_now();
  co_return v + 1;
}

TEST(RtSpawnMemory, SpawnedTaskIsOneBlockReturnedAtJoin) {
  auto rt = runtime::builder::current_thread().build();
  rt.block_on([]() -> task<void> {
    // Warm this thread's cache with blocks of the right size.
    for (int i = 0; i < 4; ++i) EXPECT_EQ((co_await kyoto::spawn(plus_one(i))).value(), i + 1);
    std::size_t cached = detail::frame_cache_blocks();
    EXPECT_GT(cached, 0u);
    auto t = plus_one(41);
    EXPECT_EQ(detail::frame_cache_blocks(), cached - 1);  // the frame
    auto h = kyoto::spawn(std::move(t));
    EXPECT_EQ(detail::frame_cache_blocks(), cached - 1);  // no cell
    EXPECT_EQ((co_await h).value(), 42);
    EXPECT_EQ(detail::frame_cache_blocks(), cached);  // freed with the header
  }());
}

task<void> hold_until(std::shared_ptr<int> /*held*/, std::shared_ptr<manual_state> s) {
  co_await manual_future(s);
}

TEST_P(RtSpawn, ParametersAndLocalsGoAtCompletionNotAtJoin) {
  auto rt = make();
  auto held = std::make_shared<int>(7);
  auto s = std::make_shared<manual_state>();
  auto h = rt.spawn(hold_until(held, s));
  EXPECT_EQ(held.use_count(), 2);
  s->set();
  while (!h.is_finished()) rt.block_on(yield_now());
  EXPECT_EQ(held.use_count(), 1);  // the frame is gone, the handle still unread
  EXPECT_TRUE(rt.block_on(std::move(h)));
}

struct counted {
  static inline std::atomic<int> live{0};
  static inline std::atomic<int> made{0};
  std::string text;
  explicit counted(std::string t) : text(std::move(t)) {
    live.fetch_add(1);
    made.fetch_add(1);
  }
  counted(counted&& o) noexcept : text(std::move(o.text)) { live.fetch_add(1); }
  counted(const counted&) = delete;
  ~counted() { live.fetch_sub(1); }
};

task<counted> make_counted(std::string t) {
  co_await yield_now();
  co_return counted(std::move(t));
}

TEST_P(RtSpawn, OutputsAreDestroyedOnceWhetherReadOrDropped) {
  auto rt = make();
  {
    auto h = rt.spawn(make_counted(std::string(100, 'x')));
    auto r = rt.block_on(std::move(h));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->text, std::string(100, 'x'));
    EXPECT_EQ(counted::live.load(), 1);
  }
  EXPECT_EQ(counted::live.load(), 0);
  {
    auto h = rt.spawn(make_counted("dropped unread"));
    while (!h.is_finished()) rt.block_on(yield_now());
    EXPECT_EQ(counted::live.load(), 1);  // waiting in the task for the handle
  }
  EXPECT_EQ(counted::live.load(), 0);
  int made = counted::made.load();
  { auto h = rt.spawn(make_counted("detached")); }  // dropped before it completes
  rt.block_on([](int before) -> task<void> {
    while (counted::made.load() == before) co_await yield_now();
  }(made));
  rt.block_on([]() -> task<void> {
    // Completion drops the output nobody will read.
    while (counted::live.load() != 0) co_await yield_now();
  }());
  EXPECT_EQ(counted::live.load(), 0);
}

task<int> throw_after_yield() {
  co_await yield_now();
  throw std::runtime_error("boom in a spawned task");
  co_return 0;
}

TEST_P(RtSpawn, PanicOfASpawnedTaskKeepsItsException) {
  auto rt = make();
  auto r = rt.block_on(rt.spawn(throw_after_yield()));
  ASSERT_FALSE(r);
  ASSERT_TRUE(r.error().is_panic());
  try {
    std::rethrow_exception(r.error().exception());
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom in a spawned task");
  }
}

}  // namespace

namespace {
// A task finds its runtime through a 16-bit id in its state word: ids are
// given back when a runtime goes, so more runtimes than ids can come and go,
// and tasks of runtimes alive at the same time reach their own.
task<int> echo_value(int v) { co_return v; }

TEST(RtSpawnOwner, RuntimeIdsAreReusedAndTasksReachTheirOwn) {
  auto keeper = runtime::builder::current_thread().build();  // holds one id throughout
  for (int i = 0; i < 70'000; ++i) {
    auto rt = runtime::builder::current_thread().build();
    int got = rt.block_on(
        [](int v) -> task<int> { co_return (co_await spawn(echo_value(v))).value(); }(i));
    ASSERT_EQ(got, i);
  }
  EXPECT_EQ(
      keeper.block_on([]() -> task<int> { co_return (co_await spawn(echo_value(7))).value(); }()),
      7);
}
}  // namespace

namespace {
// Every idle task pays for these (W9): keep them from growing unnoticed.
TEST(TaskLayout, HeaderPrefixAndPromiseStaySmall) {
  EXPECT_EQ(sizeof(detail::task_header), 5 * sizeof(void*));
  EXPECT_EQ(sizeof(detail::frame_prefix), 6 * sizeof(void*));
  EXPECT_EQ(sizeof(detail::task_promise<void>), 2 * sizeof(void*));
  EXPECT_EQ(sizeof(detail::task_promise<int>), 3 * sizeof(void*));
}
}  // namespace
