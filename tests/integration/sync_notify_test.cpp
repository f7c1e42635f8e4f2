#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

TEST(Notify, NotifyOneBeforeWaitStoresAPermit) {
  notify n;
  n.notify_one();
  n.notify_one();  // permits do not accumulate
  block_on(n.notified());
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  auto f = n.notified();
  EXPECT_TRUE(f.poll(cx).is_pending());
}

TEST(Notify, NotifyOneWakesTheOldestWaiter) {
  notify n;
  counting_waker_state a, b;
  waker wa = make_counting_waker(a), wb = make_counting_waker(b);
  context ca(wa), cb(wb);
  auto fa = n.notified();
  auto fb = n.notified();
  EXPECT_TRUE(fa.poll(ca).is_pending());
  EXPECT_TRUE(fb.poll(cb).is_pending());
  n.notify_one();
  EXPECT_EQ(a.wakes.load(), 1);
  EXPECT_EQ(b.wakes.load(), 0);
  EXPECT_TRUE(fa.poll(ca).is_ready());
  EXPECT_TRUE(fb.poll(cb).is_pending());
}

TEST(Notify, DroppedChosenWaiterPassesTheNotificationOn) {
  notify n;
  counting_waker_state a, b;
  waker wa = make_counting_waker(a), wb = make_counting_waker(b);
  context ca(wa), cb(wb);
  auto fb = n.notified();
  {
    auto fa = n.notified();
    EXPECT_TRUE(fa.poll(ca).is_pending());
    EXPECT_TRUE(fb.poll(cb).is_pending());
    n.notify_one();  // chooses fa, which is dropped unobserved
  }
  EXPECT_EQ(b.wakes.load(), 1);
  EXPECT_TRUE(fb.poll(cb).is_ready());
}

TEST(Notify, NotifyWaitersWakesAllIncludingUnpolledButStoresNoPermit) {
  notify n;
  std::vector<counting_waker_state> states(5);
  std::vector<notify::notified_future> fs;
  for (int i = 0; i < 5; ++i) fs.push_back(n.notified());
  auto unpolled = n.notified();
  std::vector<waker> ws;
  for (auto& s : states) ws.push_back(make_counting_waker(s));
  for (int i = 0; i < 5; ++i) {
    context cx(ws[i]);
    EXPECT_TRUE(fs[i].poll(cx).is_pending());
  }
  n.notify_waiters();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(states[i].wakes.load(), 1);
    context cx(ws[i]);
    EXPECT_TRUE(fs[i].poll(cx).is_ready());
  }
  context cx0(ws[0]);
  EXPECT_TRUE(unpolled.poll(cx0).is_ready());
  auto later = n.notified();
  EXPECT_TRUE(later.poll(cx0).is_pending());
}

TEST(Notify, NotifyWaitersWakesManyWaitersInBatches) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).build();
  rt.block_on([]() -> task<void> {
    auto n = std::make_shared<notify>();
    auto started = std::make_shared<std::atomic<int>>(0);
    join_set<void> set;
    for (int i = 0; i < 1000; ++i) {
      set.spawn([](std::shared_ptr<notify> nn, std::shared_ptr<std::atomic<int>> s) -> task<void> {
        auto f = nn->notified();
        ++*s;
        co_await std::move(f);
      }(n, started));
    }
    while (started->load() < 1000) co_await yield_now();
    n->notify_waiters();
    int joined = 0;
    while (auto r = co_await set.join_next()) joined += r->has_value();
    EXPECT_EQ(joined, 1000);
  }());
}

// The notify_one-before-notified race, a million times: a lost
// notification hangs, and the watchdog fails the test.
TEST(Notify, NoLostNotificationInAMillionRaces) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).build();
  constexpr int rounds = 1'000'000;
  rt.block_on(rt.spawn([]() -> task<void> {
      auto ping = std::make_shared<notify>();
      auto pong = std::make_shared<notify>();
      auto h = kyoto::spawn([](std::shared_ptr<notify> p, std::shared_ptr<notify> q) -> task<void> {
        for (int i = 0; i < rounds; ++i) {
          co_await p->notified();
          q->notify_one();
        }
      }(ping, pong));
      for (int i = 0; i < rounds; ++i) {
        ping->notify_one();
        co_await pong->notified();
      }
      EXPECT_TRUE(co_await h);
    }()))
      .value();
}

TEST(Notify, DestroyedWaiterUnlinksWhileNotifierRunsElsewhere) {
  notify n;
  std::atomic<bool> stop{false};
  std::thread notifier([&] {
    while (!stop.load()) {
      n.notify_waiters();
      n.notify_one();
    }
  });
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  for (int i = 0; i < 100'000; ++i) {
    auto f = n.notified();
    (void)f.poll(cx);
  }
  stop = true;
  notifier.join();
  // Each destroyed waiter gave back the waker clone it stored, whether the
  // notifier had woken it or not: only `w` itself is left.
  EXPECT_EQ(ws.live(), 1);
  // The list holds no dead node: a new waiter is the one notify_one picks.
  (void)n.notified().poll(cx);  // takes a permit the notifier may have left
  {
    auto last = n.notified();
    ASSERT_TRUE(last.poll(cx).is_pending());
    int wakes_before = ws.wakes.load() + ws.wakes_by_ref.load();
    n.notify_one();
    EXPECT_GT(ws.wakes.load() + ws.wakes_by_ref.load(), wakes_before);
    EXPECT_TRUE(last.poll(cx).is_ready());
  }
  EXPECT_EQ(ws.live(), 1);
}

}  // namespace

namespace {
// Every frame that waits on a notify holds these: keep them small.
TEST(NotifyLayout, WaitingCostsFewBytesInTheFrame) {
  EXPECT_LE(sizeof(kyoto::notify::notified_future), 6 * sizeof(void*));
  // Awaiting a void future keeps only a pointer to it.
  EXPECT_EQ(sizeof(kyoto::detail::future_awaiter<kyoto::notify::notified_future>), sizeof(void*));
}
}  // namespace
