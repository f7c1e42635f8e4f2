// Wakers that outlive their runtime: a wake, a clone, a drop or an abort
// from another thread, while the runtime is being destroyed or after it is
// gone, reaches a whole scheduler or does nothing
// (src/runtime/scheduler/registry.cpp). Run under ASan and TSan in CI,
// where a wake that touched a destroyed scheduler would be reported.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

class RtForeignWake : public every_flavor {};
KYOTO_EVERY_FLAVOR(RtForeignWake);

// Where the tasks leave their wakers for the foreign threads.
struct waker_box {
  std::mutex m;
  std::vector<waker> wakers;
  std::atomic<int> published{0};

  waker pick(std::uint32_t i) {
    std::lock_guard lock(m);
    return wakers[i % wakers.size()];
  }
};

// Pending forever; publishes a clone of its task's waker on its first poll
// (the task's waker is the same object on every later poll).
class park_forever {
 public:
  using output_type = void;
  explicit park_forever(waker_box& b) : box_(&b) {}
  poll_result<void> poll(context& cx) {
    if (!published_) {
      published_ = true;
      std::lock_guard lock(box_->m);
      box_->wakers.push_back(cx.waker());
      box_->published.fetch_add(1);
    }
    return pending;
  }

 private:
  waker_box* box_;
  bool published_ = false;
};

// Ready at once; keeps a clone of the waker it was polled with.
class take_waker {
 public:
  using output_type = void;
  explicit take_waker(waker& out) : out_(&out) {}
  poll_result<void> poll(context& cx) {
    *out_ = cx.waker();
    return poll_result<void>::ready();
  }

 private:
  waker* out_;
};

task<void> parked_task(drop_token token, waker_box& box) {
  co_await park_forever(box);
  (void)token;
}

std::uint32_t next_random(std::uint32_t& s) {
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

TEST_P(RtForeignWake, WakesRacingRuntimeDestructionReachAWholeSchedulerOrNothing) {
  constexpr int rounds = 20;
  constexpr int tasks = 64;
  constexpr int waker_threads = 3;
  for (int round = 0; round < rounds; ++round) {
    waker_box box;
    std::atomic<int> drops{0};
    std::vector<join_handle<void>> handles;
    std::unique_ptr<runtime> rt(new runtime(make_runtime(GetParam())));
    for (int i = 0; i < tasks; ++i)
      handles.push_back(rt->spawn(parked_task(drop_token(drops), box)));
    rt->block_on([](waker_box& b) -> task<void> {
      while (b.published.load() < tasks) co_await yield_now();
    }(box));
    ASSERT_EQ(box.published.load(), tasks);

    // Wakes by value and by reference, clones and drops from three threads,
    // and aborts from a fourth, before, during and after the destruction.
    std::atomic<bool> destroyed{false};
    std::atomic<bool> stop{false};
    std::atomic<long> ops{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < waker_threads; ++t) {
      threads.emplace_back([&, t] {
        std::uint32_t rng = 0x9e3779b9u * static_cast<std::uint32_t>(round * 7 + t + 1);
        long after = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          waker w = box.pick(next_random(rng));
          if (next_random(rng) % 2) {
            w.wake();
          } else {
            w.wake_by_ref();
          }
          ops.fetch_add(1, std::memory_order_relaxed);
          if (destroyed.load(std::memory_order_relaxed) && ++after >= 500) break;
        }
      });
    }
    threads.emplace_back([&] {
      for (int i = 0; !destroyed.load(std::memory_order_relaxed); ++i) {
        handles[static_cast<std::size_t>(i % tasks)].abort();
        if (i % tasks == tasks - 1) std::this_thread::yield();
      }
      for (auto& h : handles) h.abort();  // after the runtime is gone
    });
    while (ops.load() < 200) std::this_thread::yield();
    rt.reset();
    // Every task was cancelled by the shutdown, which destroyed its future
    // there, not later when the last of the wakers above goes.
    EXPECT_EQ(drops.load(), tasks) << "round " << round;
    destroyed.store(true);
    for (auto& th : threads) th.join();
    box.wakers.clear();
    handles.clear();
    EXPECT_EQ(drops.load(), tasks) << "round " << round;
  }
}

// A stale waker whose runtime is gone, woken while a new runtime (which
// typically reuses the scheduler id) runs: nothing happens to the new one.
TEST_P(RtForeignWake, AStaleWakerDoesNotReachTheRuntimeThatReusesItsId) {
  waker_box box;
  std::atomic<int> drops{0};
  waker stale_main;
  {
    runtime old = make();
    auto h = old.spawn(parked_task(drop_token(drops), box));
    old.block_on([](waker_box& b, waker& main) -> task<void> {
      while (b.published.load() < 1) co_await yield_now();
      co_await take_waker(main);  // the block_on's own waker
    }(box, stale_main));
    (void)h;
  }
  EXPECT_EQ(drops.load(), 1);
  for (flavor next : {flavor::current_thread, flavor::multi_1, flavor::multi_4}) {
    runtime fresh = make_runtime(next);
    std::atomic<bool> stop{false};
    std::thread waking([&] {
      while (!stop.load()) {
        box.pick(0).wake();
        stale_main.wake_by_ref();
        std::this_thread::yield();
      }
    });
    int sum = fresh.block_on([]() -> task<int> {
      int s = 0;
      for (int i = 1; i <= 100; ++i) {
        auto h = kyoto::spawn([](int v) -> task<int> {
          co_await yield_now();
          co_return v;
        }(i));
        s += (co_await std::move(h)).value();
      }
      co_return s;
    }());
    stop.store(true);
    waking.join();
    EXPECT_EQ(sum, 5050);
  }
  stale_main.wake();
  box.wakers.clear();
  EXPECT_EQ(drops.load(), 1);
}

}  // namespace
