#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

class SyncFlavors : public every_flavor {};
KYOTO_EVERY_FLAVOR(SyncFlavors);

TEST_P(SyncFlavors, MutexExcludesUnderContention) {
  auto rt = make();
  auto m = std::make_shared<kyoto::mutex<long>>(0);
  auto in_section = std::make_shared<std::atomic<int>>(0);
  auto overlap = std::make_shared<std::atomic<bool>>(false);
  rt.block_on([](std::shared_ptr<kyoto::mutex<long>> mm, std::shared_ptr<std::atomic<int>> in,
                 std::shared_ptr<std::atomic<bool>> ov) -> task<void> {
    join_set<void> set;
    for (int t = 0; t < 100; ++t) {
      set.spawn([](std::shared_ptr<kyoto::mutex<long>> m2, std::shared_ptr<std::atomic<int>> i2,
                   std::shared_ptr<std::atomic<bool>> o2) -> task<void> {
        for (int k = 0; k < 10'000; ++k) {
          auto g = co_await m2->lock();
          if (i2->fetch_add(1) != 0) *o2 = true;
          ++*g;
          if (k % 1000 == 0) co_await yield_now();  // hold the lock across a suspension
          i2->fetch_sub(1);
        }
      }(mm, in, ov));
    }
    while (auto r = co_await set.join_next()) EXPECT_TRUE(*r);
  }(m, in_section, overlap));
  EXPECT_EQ(m->get_mut(), 1'000'000);
  EXPECT_FALSE(overlap->load());
}

TEST(Mutex, TryLockAndFifoOrder) {
  kyoto::mutex<int> m(0);
  auto g = m.try_lock();
  ASSERT_TRUE(g);
  EXPECT_FALSE(m.try_lock());
  counting_waker_state a, b;
  waker wa = make_counting_waker(a), wb = make_counting_waker(b);
  context ca(wa), cb(wb);
  auto la = m.lock();
  auto lb = m.lock();
  EXPECT_TRUE(la.poll(ca).is_pending());
  EXPECT_TRUE(lb.poll(cb).is_pending());
  g.reset();  // unlock: the first waiter gets it
  EXPECT_EQ(a.wakes.load(), 1);
  EXPECT_EQ(b.wakes.load(), 0);
  auto ga = la.poll(ca);
  ASSERT_TRUE(ga.is_ready());
  EXPECT_TRUE(lb.poll(cb).is_pending());
}

TEST(Mutex, DroppedPendingLockPassesTheLockOn) {
  kyoto::mutex<int> m(0);
  auto g = m.try_lock();
  counting_waker_state a, b;
  waker wa = make_counting_waker(a), wb = make_counting_waker(b);
  context ca(wa), cb(wb);
  auto lb = m.lock();
  {
    auto la = m.lock();
    EXPECT_TRUE(la.poll(ca).is_pending());
    EXPECT_TRUE(lb.poll(cb).is_pending());
    g.reset();  // assigned to la, which is then dropped unobserved
  }
  EXPECT_EQ(b.wakes.load(), 1);
  EXPECT_TRUE(lb.poll(cb).is_ready());
}

TEST_P(SyncFlavors, RwLockReadersShareWritersExclude) {
  auto rt = make();
  auto l = std::make_shared<rw_lock<int>>(0);
  auto readers = std::make_shared<std::atomic<int>>(0);
  auto max_readers = std::make_shared<std::atomic<int>>(0);
  auto bad = std::make_shared<std::atomic<bool>>(false);
  rt.block_on([](auto lk, auto rd, auto mx, auto b) -> task<void> {
    join_set<void> set;
    for (int i = 0; i < 40; ++i) {
      bool writer = i % 4 == 0;
      set.spawn([](auto l2, auto r2, auto m2, auto b2, bool w) -> task<void> {
        for (int k = 0; k < 200; ++k) {
          if (w) {
            auto g = co_await l2->write();
            if (r2->load() != 0) *b2 = true;
            ++*g;
            co_await yield_now();
          } else {
            auto g = co_await l2->read();
            int now = ++*r2;
            int m = m2->load();
            while (now > m && !m2->compare_exchange_weak(m, now)) {
            }
            co_await yield_now();
            --*r2;
          }
        }
      }(lk, rd, mx, b, writer));
    }
    while (co_await set.join_next()) {
    }
  }(l, readers, max_readers, bad));
  EXPECT_FALSE(bad->load());
  EXPECT_EQ(*l->try_read().value(), 10 * 200);
  EXPECT_GE(max_readers->load(), 1);
}

TEST(RwLock, ReadersHoldTheLockTogetherAndExcludeWriters) {
  rw_lock<int> l(5);
  auto a = l.try_read();
  auto b = l.try_read();
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(**a + **b, 10);
  EXPECT_FALSE(l.try_write());
  a.reset();
  b.reset();
  auto w = l.try_write();
  ASSERT_TRUE(w);
  EXPECT_FALSE(l.try_read());
}

TEST(RwLock, WaitingWriterBlocksLaterReaders) {
  rw_lock<int> l(0);
  auto r1 = l.try_read();
  ASSERT_TRUE(r1);
  counting_waker_state ws, rs;
  waker ww = make_counting_waker(ws), rw = make_counting_waker(rs);
  context cw(ww), cr(rw);
  auto w = l.write();
  EXPECT_TRUE(w.poll(cw).is_pending());
  auto r2 = l.read();
  EXPECT_TRUE(r2.poll(cr).is_pending());  // behind the writer: no starvation
  r1.reset();
  EXPECT_EQ(ws.wakes.load(), 1);
  EXPECT_TRUE(w.poll(cw).is_ready());
}

TEST_P(SyncFlavors, SemaphoreNeverOverGrants) {
  auto rt = make();
  auto sem = std::make_shared<semaphore>(3);
  auto holders = std::make_shared<std::atomic<int>>(0);
  auto max_holders = std::make_shared<std::atomic<int>>(0);
  rt.block_on([](auto s, auto h, auto mx) -> task<void> {
    join_set<void> set;
    for (int i = 0; i < 50; ++i) {
      set.spawn([](auto s2, auto h2, auto m2) -> task<void> {
        for (int k = 0; k < 100; ++k) {
          auto p = co_await s2->acquire();
          EXPECT_TRUE(p);
          int now = ++*h2;
          int m = m2->load();
          while (now > m && !m2->compare_exchange_weak(m, now)) {
          }
          co_await yield_now();
          --*h2;
        }
      }(s, h, mx));
    }
    while (co_await set.join_next()) {
    }
  }(sem, holders, max_holders));
  EXPECT_LE(max_holders->load(), 3);
  EXPECT_GE(max_holders->load(), 1);
  EXPECT_EQ(sem->available_permits(), 3u);
}

TEST(Semaphore, LargeAcquireIsNotStarvedBySmallOnes) {
  semaphore s(0);
  counting_waker_state big_s, small_s;
  waker big_w = make_counting_waker(big_s), small_w = make_counting_waker(small_s);
  context big_cx(big_w), small_cx(small_w);
  auto big = s.acquire_many(5);
  EXPECT_TRUE(big.poll(big_cx).is_pending());
  auto small = s.acquire();
  EXPECT_TRUE(small.poll(small_cx).is_pending());
  s.add_permits(3);  // all to the head (big), none to small
  EXPECT_TRUE(small.poll(small_cx).is_pending());
  EXPECT_FALSE(s.try_acquire());
  s.add_permits(3);  // big completes, one left for small
  auto b = big.poll(big_cx);
  ASSERT_TRUE(b.is_ready());
  EXPECT_EQ(b.value()->num_permits(), 5u);
  EXPECT_EQ(small_s.wakes.load(), 1);
  EXPECT_TRUE(small.poll(small_cx).is_ready());
}

TEST(Semaphore, CloseFailsWaitersAndTryAcquire) {
  semaphore s(1);
  auto held = s.try_acquire();
  ASSERT_TRUE(held);
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  auto a = s.acquire();
  EXPECT_TRUE(a.poll(cx).is_pending());
  s.close();
  EXPECT_EQ(ws.wakes.load(), 1);
  auto r = a.poll(cx);
  ASSERT_TRUE(r.is_ready());
  EXPECT_FALSE(r.value());
  auto t = s.try_acquire();
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error(), try_acquire_error::closed);
}

// What a task waiting on a semaphore or a mutex carries in its frame: the
// future, and (co_await of a split-output future) one pointer beside it.
TEST(Semaphore, WaitFuturesStaySmall) {
  EXPECT_LE(sizeof(semaphore::acquire_future), 64u);
  EXPECT_LE(sizeof(mutex<int>::lock_future), 72u);
  static_assert(detail::split_output_future<semaphore::acquire_future>);
  static_assert(detail::split_output_future<mutex<int>::lock_future>);
}

// co_await acquire_many hands out exactly the permits asked for, after a
// wait; a close while waiting gives the error; a dropped wait returns
// what it had been assigned.
TEST(Semaphore, AwaitedAcquireHoldsWhatItAskedForAndCloseFailsIt) {
  auto rt = runtime::builder::current_thread().build();
  rt.block_on([]() -> task<void> {
    semaphore s(1);
    auto waiter = spawn([](semaphore& sem) -> task<std::size_t> {
      auto p = co_await sem.acquire_many(3);
      co_return p ? p->num_permits() : 0;
    }(s));
    co_await yield_now();  // the waiter queued with 1 of 3 assigned
    EXPECT_EQ(s.available_permits(), 0u);
    s.add_permits(2);
    EXPECT_EQ((co_await waiter).value(), 3u);
    EXPECT_EQ(s.available_permits(), 3u);  // its permit went back

    {
      auto held = s.try_acquire_many(3);
      EXPECT_TRUE(held);
      auto dropped = spawn([](semaphore& sem) -> task<bool> {
        auto p = co_await sem.acquire();
        co_return static_cast<bool>(p);
      }(s));
      co_await yield_now();
      dropped.abort();
      auto out = co_await dropped;
      EXPECT_FALSE(out);  // cancelled
    }
    EXPECT_EQ(s.available_permits(), 3u);

    auto held = s.try_acquire_many(3);
    EXPECT_TRUE(held);
    auto closed = spawn([](semaphore& sem) -> task<bool> {
      auto p = co_await sem.acquire();
      co_return !p;
    }(s));
    co_await yield_now();
    s.close();
    EXPECT_TRUE((co_await closed).value());
  }());
}

TEST(Semaphore, PermitForgetKeepsThePermits) {
  semaphore s(2);
  {
    auto p = s.try_acquire_many(2);
    ASSERT_TRUE(p);
    p->forget();
  }
  EXPECT_EQ(s.available_permits(), 0u);
  s.add_permits(1);
  EXPECT_TRUE(s.try_acquire());
}

TEST(Semaphore, ReleaseRacingWithQueueingLosesNoWakeUp) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).build();
  rt.block_on(rt.spawn([]() -> task<void> {
      auto s = std::make_shared<semaphore>(0);
      for (int i = 0; i < 100'000; ++i) {
        auto h = kyoto::spawn([](std::shared_ptr<semaphore> s2) -> task<void> {
          s2->add_permits(1);
          co_return;
        }(s));
        auto p = co_await s->acquire();
        EXPECT_TRUE(p);
        p->forget();
        (void)co_await h;
      }
    }()))
      .value();
}

}  // namespace
