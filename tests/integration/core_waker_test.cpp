#include <gtest/gtest.h>

#include "kyoto/core.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using kyoto::test::counting_waker_state;
using kyoto::test::make_counting_waker;

TEST(Waker, CloneAndDropAreBalanced) {
  counting_waker_state s;
  {
    waker w = make_counting_waker(s);
    waker a = w;             // clone
    waker b(a);              // clone
    waker c = std::move(b);  // move: no vtable call
    EXPECT_EQ(s.clones.load(), 2);
    EXPECT_EQ(s.drops.load(), 0);
    EXPECT_TRUE(c.will_wake(w));
  }
  EXPECT_EQ(s.clones.load(), 2);
  EXPECT_EQ(s.drops.load(), 3);
  EXPECT_EQ(s.live(), 0);
}

TEST(Waker, WakeConsumesAndWakeByRefDoesNot) {
  counting_waker_state s;
  {
    waker w = make_counting_waker(s);
    w.wake_by_ref();
    w.wake_by_ref();
    EXPECT_EQ(s.wakes_by_ref.load(), 2);
    w.wake();
    EXPECT_EQ(s.wakes.load(), 1);
    w.wake();  // now the no-op waker: nothing counted
    EXPECT_EQ(s.wakes.load(), 1);
  }
  EXPECT_EQ(s.drops.load(), 0);  // wake consumed the only reference
  EXPECT_EQ(s.live(), 0);
}

TEST(Waker, CopyAssignOfSameWakerSkipsClone) {
  counting_waker_state s;
  waker w = make_counting_waker(s);
  waker a = w;
  a = w;
  EXPECT_EQ(s.clones.load(), 1);
  waker n = waker::noop();
  EXPECT_FALSE(n.will_wake(w));
  n = w;
  EXPECT_EQ(s.clones.load(), 2);
}

TEST(Waker, NoopWakersWillWakeEachOther) {
  waker a = waker::noop();
  waker b;
  EXPECT_TRUE(a.will_wake(b));
  a.wake();
  b.wake_by_ref();
}

TEST(Poll, ReadyAndPending) {
  poll_result<int> p = pending;
  EXPECT_TRUE(p.is_pending());
  poll_result<int> r = poll_result<int>::ready(7);
  EXPECT_TRUE(r.is_ready());
  EXPECT_EQ(r.value(), 7);
  poll_result<void> v = poll_result<void>::ready();
  EXPECT_TRUE(v.is_ready());
  poll_result<void> vp = pending;
  EXPECT_TRUE(vp.is_pending());
}

struct ready_42 {
  using output_type = int;
  poll_result<int> poll(context&) { return 42; }
};
static_assert(future<ready_42>);
static_assert(future<task<int>>);
static_assert(!future<int>);

TEST(Future, HandWrittenFutureNeedsNoAllocation) {
  static_assert(sizeof(ready_42) == 1);
  EXPECT_EQ(block_on(ready_42{}), 42);
}
