#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <limits>
#include <memory>
#include <random>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

class MpscFlavors : public every_flavor {};
KYOTO_EVERY_FLAVOR(MpscFlavors);

// 4 producers x n values; the consumer checks per-producer order, count
// and sum (exactly once, in order).
task<bool> produce_consume(bool bounded, int per_producer) {
  auto [tx, rx] =
      bounded ? mpsc::channel<std::uint64_t>(16) : mpsc::unbounded_channel<std::uint64_t>();
  constexpr int producers = 4;
  for (int p = 0; p < producers; ++p) {
    kyoto::spawn([](mpsc::sender<std::uint64_t> s, int id, int n) -> task<void> {
      for (int i = 0; i < n; ++i) {
        auto r = co_await s.send((std::uint64_t(id) << 32) | std::uint64_t(i));
        EXPECT_TRUE(r);
      }
    }(tx, p, per_producer));
  }
  { auto drop = std::move(tx); }  // only the producers keep senders
  std::vector<std::int64_t> next(producers, 0);
  std::uint64_t count = 0;
  bool ordered = true;
  while (auto v = co_await rx.recv()) {
    int id = static_cast<int>(*v >> 32);
    auto seq = static_cast<std::int64_t>(*v & 0xffffffffu);
    if (seq != next[id]) ordered = false;
    next[id] = seq + 1;
    ++count;
  }
  co_return ordered&& count == std::uint64_t(producers) * per_producer;
}

TEST_P(MpscFlavors, BoundedDeliversExactlyOnceInProducerOrder) {
  auto rt = make();
  EXPECT_TRUE(rt.block_on(produce_consume(true, 20'000)));
}

TEST_P(MpscFlavors, UnboundedDeliversExactlyOnceInProducerOrder) {
  auto rt = make();
  EXPECT_TRUE(rt.block_on(produce_consume(false, 20'000)));
}

// The receiver waits on an empty channel and a thread outside the runtime
// sends the next value: every round exercises the race between the
// receiver announcing that it waits and a producer deciding whether to
// wake it. A lost wake-up hangs (the watchdog fails the test).
TEST(Mpsc, ReceiverWaitingOnAnEmptyChannelIsAlwaysWoken) {
  constexpr int rounds = 50'000;
  for (bool bounded : {true, false}) {
    auto rt = runtime::builder::multi_thread().worker_threads(2).build();
    auto ch = bounded ? mpsc::channel<int>(1) : mpsc::unbounded_channel<int>();
    std::atomic<int> received{0};
    std::thread producer([&received, tx = std::move(ch.first)]() mutable {
      for (int i = 0; i < rounds; ++i) {
        while (received.load(std::memory_order_acquire) < i) std::this_thread::yield();
        while (!tx.try_send(i)) std::this_thread::yield();  // bounded: wait for the slot
      }
    });
    int last = rt.block_on([](mpsc::receiver<int> rx, std::atomic<int>& got) -> task<int> {
      int v = -1;
      for (int i = 0; i < rounds; ++i) {
        auto r = co_await rx.recv();
        if (!r || *r != i) co_return -1;
        v = *r;
        got.store(i + 1, std::memory_order_release);
      }
      co_return v;
    }(std::move(ch.second), received));
    producer.join();
    EXPECT_EQ(last, rounds - 1) << (bounded ? "bounded" : "unbounded");
  }
}

TEST(Mpsc, BoundedSenderWaitsAtCapacity) {
  auto [tx, rx] = mpsc::channel<int>(2);
  EXPECT_TRUE(tx.try_send(1));
  EXPECT_TRUE(tx.try_send(2));
  auto full = tx.try_send(3);
  ASSERT_FALSE(full);
  EXPECT_TRUE(full.error().is_full());
  EXPECT_EQ(full.error().value, 3);
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  auto send = tx.send(3);
  EXPECT_TRUE(send.poll(cx).is_pending());  // backpressure
  EXPECT_EQ(rx.try_recv().value(), 1);
  EXPECT_EQ(ws.wakes.load(), 1);
  EXPECT_TRUE(send.poll(cx).is_ready());
  EXPECT_EQ(rx.try_recv().value(), 2);
  EXPECT_EQ(rx.try_recv().value(), 3);
}

TEST(Mpsc, ClosedWhenAllSendersAreGone) {
  auto rt = runtime::builder::current_thread().build();
  auto [tx, rx] = mpsc::channel<int>(4);
  auto tx2 = tx;
  EXPECT_TRUE(tx.try_send(7));
  { auto a = std::move(tx); }
  { auto b = std::move(tx2); }
  EXPECT_EQ(rt.block_on(rx.recv()), 7);
  EXPECT_EQ(rt.block_on(rx.recv()), std::nullopt);
}

template <class Make>
void try_recv_tells_empty_from_disconnected(Make make) {
  auto [tx, rx] = make();
  auto empty = rx.try_recv();
  ASSERT_FALSE(empty);
  EXPECT_TRUE(empty.error().is_empty());
  EXPECT_FALSE(empty.error().is_disconnected());
  EXPECT_TRUE(tx.try_send(std::make_unique<int>(5)));
  { auto gone = std::move(tx); }
  auto v = rx.try_recv();  // queued before the last sender left: still received
  ASSERT_TRUE(v);
  EXPECT_EQ(**v, 5);
  auto closed = rx.try_recv();
  ASSERT_FALSE(closed);
  EXPECT_TRUE(closed.error().is_disconnected());
  EXPECT_FALSE(closed.error().is_empty());
}

TEST(Mpsc, BoundedTryRecvTellsEmptyFromDisconnected) {
  try_recv_tells_empty_from_disconnected([] { return mpsc::channel<std::unique_ptr<int>>(2); });
}

TEST(Mpsc, UnboundedTryRecvTellsEmptyFromDisconnected) {
  try_recv_tells_empty_from_disconnected(
      [] { return mpsc::unbounded_channel<std::unique_ptr<int>>(); });
}

TEST(Mpsc, TryRecvStaysEmptyWhileACloneOfTheSenderRemains) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  auto tx2 = tx;
  { auto gone = std::move(tx); }
  EXPECT_TRUE(rx.try_recv().error().is_empty());
  { auto gone = std::move(tx2); }
  EXPECT_TRUE(rx.try_recv().error().is_disconnected());
}

TEST(Mpsc, SendToDroppedReceiverGivesTheValueBack) {
  auto [tx, rx] = mpsc::channel<std::unique_ptr<int>>(4);
  { auto gone = std::move(rx); }
  EXPECT_TRUE(tx.is_closed());
  auto r = block_on(tx.send(std::make_unique<int>(9)));
  ASSERT_FALSE(r);
  EXPECT_EQ(*r.error(), 9);
}

TEST(Mpsc, ReceiverCloseWakesWaitingSendersAndKeepsQueuedMessages) {
  auto [tx, rx] = mpsc::channel<int>(1);
  EXPECT_TRUE(tx.try_send(1));
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  auto send = tx.send(2);
  EXPECT_TRUE(send.poll(cx).is_pending());
  rx.close();
  EXPECT_EQ(ws.wakes.load(), 1);
  auto r = send.poll(cx);
  ASSERT_TRUE(r.is_ready());
  EXPECT_FALSE(r.value());
  EXPECT_EQ(r.value().error(), 2);
  EXPECT_EQ(rx.try_recv().value(), 1);
}

// Cancel safety: dropping pending sends enqueues nothing, dropping pending
// receives loses nothing.
TEST(Mpsc, DroppingPendingSendsAndReceivesAtRandomPoints) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).enable_time().build();
  auto result = rt.block_on(rt.spawn([]() -> task<std::pair<long, long>> {
    auto [tx, rx] = mpsc::channel<long>(4);
    auto sent = std::make_shared<std::atomic<long>>(0);
    auto producer =
        kyoto::spawn([](mpsc::sender<long> s, std::shared_ptr<std::atomic<long>> ok) -> task<void> {
          std::mt19937 rng(1);
          for (long i = 0; i < 20'000; ++i) {
            if (rng() % 3 == 0) {
              // A send raced against an immediately ready branch: often dropped.
              auto r = co_await kyoto::select(s.send(i), yield_now());
              if (r.index() == 0 && std::get<0>(r)) ++*ok;
            } else if (co_await s.send(i)) {
              ++*ok;
            }
          }
        }(std::move(tx), sent));
    long received = 0;
    std::mt19937 rng(2);
    for (;;) {
      if (rng() % 3 == 0) {
        auto r = co_await kyoto::select(rx.recv(), yield_now());
        if (r.index() == 0) {
          if (!std::get<0>(r)) break;
          ++received;
        }
      } else {
        auto v = co_await rx.recv();
        if (!v) break;
        ++received;
      }
    }
    (void)co_await producer;
    co_return std::pair<long, long>(sent->load(), received);
  }()));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->first, result->second);
}

TEST(Mpsc, CapacityZeroIsAClearError) {
  EXPECT_THROW((void)mpsc::channel<int>(0), std::invalid_argument);
}

}  // namespace

namespace {

TEST(Mpsc, ReserveHoldsASlotUntilSentOrDropped) {
  auto [tx, rx] = mpsc::channel<int>(1);
  {
    auto p = block_on(tx.reserve());
    ASSERT_TRUE(p);
    auto full = tx.try_send(1);  // the only slot is reserved
    ASSERT_FALSE(full);
    EXPECT_TRUE(full.error().is_full());
  }  // dropped unused: the slot comes back
  auto p = block_on(tx.reserve());
  ASSERT_TRUE(p);
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  auto waiting = tx.reserve();
  EXPECT_TRUE(waiting.poll(cx).is_pending());  // backpressure
  p->send(7);
  EXPECT_EQ(rx.try_recv().value(), 7);  // capacity 1: its slot returns at once
  EXPECT_EQ(ws.wakes.load(), 1);
  EXPECT_TRUE(waiting.poll(cx).is_ready());
}

TEST(Mpsc, ReserveFailsOnceTheReceiverIsGone) {
  auto [tx, rx] = mpsc::channel<int>(4);
  { auto gone = std::move(rx); }
  EXPECT_FALSE(block_on(tx.reserve()));
}

}  // namespace

// The layout the split into a front and a policy-typed core promises.
namespace {

// Both constructors give the same endpoint types (one run-time choice of
// policy per operation, made in detail::visit).
static_assert(
    std::is_same_v<decltype(mpsc::channel<int>(1)), decltype(mpsc::unbounded_channel<int>())>);
static_assert(std::is_same_v<decltype(mpsc::channel<int>(1)),
                             std::pair<mpsc::sender<int>, mpsc::receiver<int>>>);
// A sender is the channel pointer and one word of sink state; a receiver
// is the channel pointer.
static_assert(sizeof(mpsc::sender<int>) == 2 * sizeof(void*));
static_assert(sizeof(mpsc::receiver<int>) == sizeof(void*));
// The unbounded policy has no capacity state to carry.
static_assert(std::is_empty_v<mpsc::detail::unbounded_policy::slots>);
static_assert(mpsc::detail::bounded_policy::bounded && !mpsc::detail::unbounded_policy::bounded);

TEST(Mpsc, AnUnboundedSenderIsAnMpscSender) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  mpsc::sender<int> tx2 = tx;
  EXPECT_TRUE(tx2.try_send(4));
  EXPECT_EQ(rx.try_recv().value(), 4);
}

TEST(Mpsc, UnboundedCapacityIsUnlimited) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  EXPECT_EQ(tx.capacity(), std::numeric_limits<std::size_t>::max());
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(tx.try_send(i));
  EXPECT_EQ(tx.capacity(), std::numeric_limits<std::size_t>::max());
}

TEST(Mpsc, UnboundedReserveIsReadyAtOnce) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  auto reserve = tx.reserve();
  auto p = reserve.poll(cx);
  ASSERT_TRUE(p.is_ready());
  ASSERT_TRUE(p.value());
  p.value()->send(5);
  EXPECT_EQ(rx.try_recv().value(), 5);
}

TEST(Mpsc, UnboundedSinkIsAlwaysReady) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  for (int i = 0; i < 100; ++i) {
    auto r = tx.poll_ready(cx);
    ASSERT_TRUE(r.is_ready());
    ASSERT_TRUE(r.value());
    EXPECT_TRUE(tx.start_send(i));
  }
  for (int i = 0; i < 100; ++i) EXPECT_EQ(rx.try_recv().value(), i);
}

TEST(Mpsc, SinkWaitsForRoomThenHoldsTheSlotItReserved) {
  auto [tx, rx] = mpsc::channel<int>(1);
  auto other = tx;
  EXPECT_TRUE(tx.try_send(1));
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  EXPECT_TRUE(tx.poll_ready(cx).is_pending());  // full
  EXPECT_EQ(rx.try_recv().value(), 1);
  EXPECT_EQ(ws.wakes.load(), 1);
  auto ready = tx.poll_ready(cx);
  ASSERT_TRUE(ready.is_ready());
  EXPECT_TRUE(ready.value());
  EXPECT_TRUE(other.try_send(2).error().is_full());  // the slot is the sink's
  EXPECT_TRUE(tx.start_send(3));
  EXPECT_EQ(rx.try_recv().value(), 3);
}

// The sink's waiting node lives outside the sender, so a sender may move
// while its poll_ready waits.
TEST(Mpsc, SenderMovesWhileItsSinkWaits) {
  auto [tx, rx] = mpsc::channel<int>(1);
  EXPECT_TRUE(tx.try_send(1));
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  EXPECT_TRUE(tx.poll_ready(cx).is_pending());
  auto moved = std::move(tx);
  EXPECT_EQ(rx.try_recv().value(), 1);
  EXPECT_EQ(ws.wakes.load(), 1);
  auto ready = moved.poll_ready(cx);
  ASSERT_TRUE(ready.is_ready());
  EXPECT_TRUE(moved.start_send(2));
  EXPECT_EQ(rx.try_recv().value(), 2);
}

TEST(Mpsc, DroppedSenderGivesBackTheSlotItsSinkReserved) {
  auto [tx, rx] = mpsc::channel<int>(1);
  {
    auto sink = tx;
    counting_waker_state ws;
    waker w = make_counting_waker(ws);
    context cx(w);
    ASSERT_TRUE(sink.poll_ready(cx).is_ready());
    EXPECT_TRUE(tx.try_send(1).error().is_full());
  }
  EXPECT_TRUE(tx.try_send(1));
  EXPECT_EQ(rx.try_recv().value(), 1);
}

TEST(Mpsc, DroppedSenderLeavesTheQueueOfWaitingSinks) {
  auto [tx, rx] = mpsc::channel<int>(1);
  EXPECT_TRUE(tx.try_send(0));
  {
    auto sink = tx;
    counting_waker_state ws;
    waker w = make_counting_waker(ws);
    context cx(w);
    EXPECT_TRUE(sink.poll_ready(cx).is_pending());
  }
  EXPECT_EQ(rx.try_recv().value(), 0);  // the slot comes back to nobody in particular
  EXPECT_TRUE(tx.try_send(1));
  EXPECT_EQ(rx.try_recv().value(), 1);
}

TEST(Mpsc, SinkOfAClosedChannelFails) {
  auto [tx, rx] = mpsc::channel<int>(1);
  EXPECT_TRUE(tx.try_send(0));
  counting_waker_state ws;
  waker w = make_counting_waker(ws);
  context cx(w);
  EXPECT_TRUE(tx.poll_ready(cx).is_pending());
  rx.close();
  EXPECT_EQ(ws.wakes.load(), 1);
  auto r = tx.poll_ready(cx);
  ASSERT_TRUE(r.is_ready());
  EXPECT_FALSE(r.value());
}

}  // namespace
