#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

TEST(Broadcast, EveryReceiverSeesEveryValue) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).build();
  auto [tx, rx1] = broadcast::channel<int>(1024);  // no lag possible: exact sums
  auto rx2 = tx.subscribe();
  auto sums = rt.block_on([](broadcast::sender<int> t, broadcast::receiver<int> a,
                             broadcast::receiver<int> b) -> task<std::pair<long, long>> {
    auto consume = [](broadcast::receiver<int> r) -> task<long> {
      long sum = 0;
      for (;;) {
        auto v = co_await r.recv();
        if (!v) {
          EXPECT_TRUE(v.error().is_closed());
          co_return sum;
        }
        sum += *v;
      }
    };
    auto ha = kyoto::spawn(consume(std::move(a)));
    auto hb = kyoto::spawn(consume(std::move(b)));
    for (int i = 1; i <= 1000; ++i) {
      EXPECT_TRUE(t.send(i));
      if (i % 8 == 0) co_await yield_now();
    }
    { auto gone = std::move(t); }
    co_return std::pair<long, long>((co_await ha).value(), (co_await hb).value());
  }(std::move(tx), std::move(rx1), std::move(rx2)));
  EXPECT_EQ(sums.first, 500'500);
  EXPECT_EQ(sums.second, 500'500);
}

TEST(Broadcast, LaggingReceiverLearnsHowManyItMissed) {
  auto [tx, rx] = broadcast::channel<int>(4);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(tx.send(i));
  auto r = rx.try_recv();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_lagged());
  EXPECT_EQ(r.error().missed, 6u);
  for (int expect = 6; expect < 10; ++expect) EXPECT_EQ(*rx.try_recv(), expect);
  EXPECT_TRUE(rx.try_recv().error().is_empty());
}

TEST(Broadcast, RecvReportsTheLaggedCount) {
  auto [tx, rx] = broadcast::channel<int>(2);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(tx.send(i));
  auto r = block_on(rx.recv());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_lagged());
  EXPECT_EQ(r.error().missed, 3u);
  EXPECT_EQ(block_on(rx.recv()).value(), 3);
  EXPECT_EQ(block_on(rx.recv()).value(), 4);
}

TEST(Broadcast, TryRecvTellsEmptyFromClosed) {
  auto [tx, rx] = broadcast::channel<std::string>(4);
  auto empty = rx.try_recv();
  ASSERT_FALSE(empty);
  EXPECT_TRUE(empty.error().is_empty());
  EXPECT_FALSE(empty.error().is_closed());
  EXPECT_TRUE(tx.send("last"));
  { auto gone = std::move(tx); }
  EXPECT_EQ(rx.try_recv().value(), "last");  // sent before close: still received
  auto closed = rx.try_recv();
  ASSERT_FALSE(closed);
  EXPECT_TRUE(closed.error().is_closed());
  EXPECT_FALSE(closed.error().is_empty());
}

TEST(Broadcast, RecvWaitsOnAnEmptyChannelInsteadOfReportingEmpty) {
  auto [tx, rx] = broadcast::channel<int>(4);
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  auto recv = rx.recv();
  EXPECT_TRUE(recv.poll(cx).is_pending());  // empty: waits, no error
  EXPECT_TRUE(tx.send(1));
  EXPECT_EQ(ws.wakes.load(), 1);
  auto r = recv.poll(cx);
  ASSERT_TRUE(r.is_ready());
  EXPECT_EQ(r.value().value(), 1);
  auto next = rx.recv();
  EXPECT_TRUE(next.poll(cx).is_pending());
  { auto gone = std::move(tx); }
  auto closed = next.poll(cx);
  ASSERT_TRUE(closed.is_ready());
  ASSERT_FALSE(closed.value());
  EXPECT_TRUE(closed.value().error().is_closed());  // the only errors: closed, lagged
}

TEST(Broadcast, SendWithoutReceiversGivesTheValueBack) {
  auto [tx, rx] = broadcast::channel<std::string>(2);
  { auto gone = std::move(rx); }
  auto r = tx.send("lost?");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().value, "lost?");
}

TEST(Watch, ReceiversSeeTheLatestValueAndChangesCoalesce) {
  auto [tx, rx] = watch::channel<int>(0);
  EXPECT_EQ(*rx.borrow(), 0);
  EXPECT_FALSE(rx.has_changed());
  EXPECT_TRUE(tx.send(1));
  EXPECT_TRUE(tx.send(2));
  EXPECT_TRUE(tx.send(3));
  EXPECT_TRUE(rx.has_changed());
  EXPECT_TRUE(block_on(rx.changed()));  // one change for three sends
  EXPECT_EQ(*rx.borrow(), 3);
  EXPECT_FALSE(rx.has_changed());
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  auto ch = rx.changed();
  EXPECT_TRUE(ch.poll(cx).is_pending());
  EXPECT_TRUE(tx.send(4));
  EXPECT_EQ(ws.wakes.load(), 1);
  EXPECT_TRUE(ch.poll(cx).is_ready());
}

TEST(Watch, SenderDropEndsChanged) {
  auto [tx, rx] = watch::channel<std::string>("a");
  { auto gone = std::move(tx); }
  auto r = block_on(rx.changed());
  EXPECT_FALSE(r);
  EXPECT_EQ(*rx.borrow(), "a");
}

TEST(Watch, SendWithoutReceiversFails) {
  auto [tx, rx] = watch::channel<int>(0);
  auto rx2 = tx.subscribe();
  { auto a = std::move(rx); }
  EXPECT_TRUE(tx.send(1));
  { auto b = std::move(rx2); }
  EXPECT_FALSE(tx.send(2));
}

}  // namespace
