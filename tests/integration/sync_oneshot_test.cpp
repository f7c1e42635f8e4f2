#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "kyoto/kyoto.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

TEST(Oneshot, SendThenReceive) {
  auto [tx, rx] = oneshot::channel<std::string>();
  EXPECT_TRUE(tx.send("hi"));
  auto r = block_on(std::move(rx));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "hi");
}

TEST(Oneshot, ReceiveWaitsForSendFromAnotherThread) {
  auto [tx, rx] = oneshot::channel<int>();
  std::thread t([s = std::move(tx)]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    (void)s.send(7);
  });
  auto r = block_on(std::move(rx));
  t.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 7);
}

TEST(Oneshot, SenderDropGivesRecvError) {
  auto [tx, rx] = oneshot::channel<int>();
  { auto gone = std::move(tx); }
  EXPECT_FALSE(block_on(std::move(rx)));
}

TEST(Oneshot, SenderDropWakesAWaitingReceiver) {
  auto [tx, rx] = oneshot::channel<int>();
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  EXPECT_TRUE(rx.poll(cx).is_pending());
  { auto gone = std::move(tx); }
  EXPECT_EQ(ws.wakes_by_ref.load(), 1);
  auto r = rx.poll(cx);
  ASSERT_TRUE(r.is_ready());
  EXPECT_FALSE(r.value());
}

TEST(Oneshot, SendToDroppedReceiverGivesTheValueBack) {
  auto [tx, rx] = oneshot::channel<std::unique_ptr<int>>();
  EXPECT_FALSE(tx.is_closed());
  { auto gone = std::move(rx); }
  EXPECT_TRUE(tx.is_closed());
  auto r = tx.send(std::make_unique<int>(5));
  ASSERT_FALSE(r);
  EXPECT_EQ(*r.error(), 5);
}

struct counted {
  std::atomic<int>* drops;
  explicit counted(std::atomic<int>& d) : drops(&d) {}
  counted(counted&& o) noexcept : drops(std::exchange(o.drops, nullptr)) {}
  ~counted() {
    if (drops) ++*drops;
  }
};

TEST(Oneshot, UnreceivedValueIsDestroyedOnceWithTheReceiver) {
  std::atomic<int> drops{0};
  {
    auto [tx, rx] = oneshot::channel<counted>();
    EXPECT_TRUE(tx.send(counted(drops)));
    EXPECT_EQ(drops.load(), 0);
  }
  EXPECT_EQ(drops.load(), 1);
}

TEST(Oneshot, SendAndReceiverDropRaceNeverLosesOrDoublesTheValue) {
  for (int i = 0; i < 20'000; ++i) {
    std::atomic<int> drops{0};
    {
      auto [tx, rx] = oneshot::channel<counted>();
      std::thread t([&, s = std::move(tx)]() mutable { (void)s.send(counted(drops)); });
      { auto gone = std::move(rx); }
      t.join();
    }
    ASSERT_EQ(drops.load(), 1) << "iteration " << i;
  }
}

TEST(Oneshot, WakeRaceInALoop) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).build();
  long got = rt.block_on([]() -> task<long> {
    long sum = 0;
    for (int i = 0; i < 20'000; ++i) {
      auto [tx, rx] = oneshot::channel<int>();
      auto h = kyoto::spawn([](oneshot::sender<int> s, int v) -> task<void> {
        (void)s.send(v);
        co_return;
      }(std::move(tx), i));
      auto r = co_await rx;
      sum += r.value();
      (void)co_await h;
    }
    co_return sum;
  }());
  EXPECT_EQ(got, 20'000L * 19'999 / 2);
}

TEST(Oneshot, TryRecvIsEmptyBeforeTheSendThenTheValueThenClosed) {
  auto [tx, rx] = oneshot::channel<std::unique_ptr<int>>();
  auto empty = rx.try_recv();
  ASSERT_FALSE(empty);
  EXPECT_TRUE(empty.error().is_empty());
  EXPECT_TRUE(tx.send(std::make_unique<int>(3)));
  auto v = rx.try_recv();
  ASSERT_TRUE(v);
  EXPECT_EQ(**v, 3);
  auto again = rx.try_recv();  // already received
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().is_closed());
}

TEST(Oneshot, TryRecvIsClosedWhenTheSenderLeftWithoutSending) {
  auto [tx, rx] = oneshot::channel<int>();
  { auto gone = std::move(tx); }
  auto r = rx.try_recv();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_closed());
  EXPECT_FALSE(r.error().is_empty());
}

TEST(Oneshot, CloseBeforeTheSendMakesTryRecvClosedAndSendGiveTheValueBack) {
  auto [tx, rx] = oneshot::channel<std::string>();
  rx.close();
  EXPECT_TRUE(rx.try_recv().error().is_closed());
  auto back = tx.send("late");
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error(), "late");
  EXPECT_TRUE(rx.try_recv().error().is_closed());
}

TEST(Oneshot, AValueSentBeforeCloseIsStillReceived) {
  auto [tx, rx] = oneshot::channel<std::string>();
  EXPECT_TRUE(tx.send("early"));
  rx.close();
  auto r = rx.try_recv();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "early");
}

}  // namespace
