// Channel and lock storms: producers, consumers and lockers whose pending
// operations are cancelled at random (raced against a yield or a short
// sleep with select, or wrapped in a timeout: the loser is destroyed), on
// every runtime flavour. The accounting at the end is exact: every message
// whose send succeeded is received exactly once and in its producer's
// order, a cancelled send delivers nothing, a lock is never held twice and
// every permit comes back.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "co_assert.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"
#include "stress_duration.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

class ChannelStorm : public every_flavor {};
KYOTO_EVERY_FLAVOR(ChannelStorm);

std::chrono::microseconds short_wait(std::mt19937& rng) {
  return std::chrono::microseconds(rng() % 1500);
}

// ---- mpsc ------------------------------------------------------------------

struct mpsc_storm {
  static constexpr int producers = 8;
  long per_producer = scaled(60'000);
  storm_deadline deadline;
  std::atomic<long> progress{0};
  std::atomic<long> sent{0};
  std::atomic<long> send_cancelled{0};
  std::atomic<long> received{0};
  std::atomic<long> recv_cancelled{0};
  std::atomic<int> producers_alive{producers};
  // sent_ids[id]: written by the id's producer only; seen[id] and
  // next_seq[p]: by the consumer only. Read after every task has ended.
  std::vector<std::uint8_t> sent_ids;
  std::vector<std::uint8_t> seen;
  std::vector<long> next_seq;
  std::atomic<long> duplicates{0};
  std::atomic<long> out_of_order{0};
  std::atomic<long> bad_ids{0};

  mpsc_storm()
      : sent_ids(static_cast<std::size_t>(producers * per_producer)),
        seen(sent_ids.size()),
        next_seq(producers, 0) {}

  std::string report() const {
    std::ostringstream os;
    os << "producers alive " << producers_alive << ", sent " << sent << ", sends cancelled "
       << send_cancelled << ", received " << received << ", receives cancelled " << recv_cancelled;
    return os.str();
  }
};

task<void> mpsc_producer(mpsc_storm& s, mpsc::sender<std::uint32_t> tx, int p, unsigned seed) {
  std::mt19937 rng(seed);
  for (long i = 0; i < s.per_producer && !s.deadline.passed(); ++i) {
    auto id = static_cast<std::uint32_t>(p * s.per_producer + i);
    bool ok = false;
    switch (rng() % 5) {
      case 0: {  // plain send: waits for room
        ok = static_cast<bool>(co_await tx.send(id));
        KYOTO_CO_ASSERT(ok);
        break;
      }
      case 1: {  // cancelled after one pending poll
        auto r = co_await kyoto::select(tx.send(id), yield_now());
        if (r.index() == 0) {
          KYOTO_CO_ASSERT(std::get<0>(r).has_value());
          ok = true;
        }
        break;
      }
      case 2: {  // cancelled by a short sleep
        auto r = co_await kyoto::select(tx.send(id), kyoto::sleep(short_wait(rng)));
        if (r.index() == 0) {
          KYOTO_CO_ASSERT(std::get<0>(r).has_value());
          ok = true;
        }
        break;
      }
      case 3: {  // cancelled by a timeout
        auto r = co_await kyoto::timeout(short_wait(rng), tx.send(id));
        if (r) {
          KYOTO_CO_ASSERT(r->has_value());
          ok = true;
        }
        break;
      }
      default: {  // a reserved slot, the reservation itself cancellable
        auto r = co_await kyoto::timeout(short_wait(rng), tx.reserve());
        if (r) {
          KYOTO_CO_ASSERT(r->has_value());
          (*r)->send(id);
          ok = true;
        }
        break;
      }
    }
    // A failed attempt's id is never sent again: the consumer must not see it.
    if (ok) {
      s.sent_ids[id] = 1;
      s.sent.fetch_add(1, std::memory_order_relaxed);
    } else {
      s.send_cancelled.fetch_add(1, std::memory_order_relaxed);
    }
    s.progress.fetch_add(1, std::memory_order_relaxed);
  }
  s.producers_alive.fetch_sub(1);
}

void mpsc_take(mpsc_storm& s, std::uint32_t id) {
  if (id >= s.seen.size()) {
    ++s.bad_ids;
    return;
  }
  if (s.seen[id]++ != 0) ++s.duplicates;
  auto p = static_cast<std::size_t>(id / static_cast<std::uint32_t>(s.per_producer));
  long seq = id % s.per_producer;
  if (seq < s.next_seq[p]) ++s.out_of_order;
  s.next_seq[p] = seq + 1;
  s.received.fetch_add(1, std::memory_order_relaxed);
  s.progress.fetch_add(1, std::memory_order_relaxed);
}

task<void> mpsc_consumer(mpsc_storm& s, mpsc::receiver<std::uint32_t> rx, unsigned seed) {
  std::mt19937 rng(seed);
  for (;;) {
    std::optional<std::uint32_t> v;
    // Once the storm is over, drain what is queued without delays: an
    // unbounded channel may hold everything the producers sent.
    switch (s.deadline.passed() ? 5 : rng() % 6) {
      case 0: {
        auto r = co_await kyoto::select(rx.recv(), yield_now());
        if (r.index() == 1) {
          ++s.recv_cancelled;
          continue;
        }
        v = std::get<0>(r);
        break;
      }
      case 1: {
        auto r = co_await kyoto::timeout(short_wait(rng), rx.recv());
        if (!r) {
          ++s.recv_cancelled;
          continue;
        }
        v = *r;
        break;
      }
      case 2:  // fall behind, so that bounded senders wait and get cancelled
        if (rng() % 8 == 0) co_await kyoto::sleep(short_wait(rng));
        continue;
      default:
        v = co_await rx.recv();
        break;
    }
    if (!v) co_return;  // every sender gone, queue drained
    mpsc_take(s, *v);
  }
}

void run_mpsc_storm(runtime& rt, std::size_t capacity, unsigned seed) {
  mpsc_storm s;
  progress_watchdog dog("mpsc", s.progress, [&s] { return s.report(); });
  rt.block_on([](mpsc_storm& st, std::size_t cap, unsigned sd) -> task<void> {
    auto [tx, rx] =
        cap == 0 ? mpsc::unbounded_channel<std::uint32_t>() : mpsc::channel<std::uint32_t>(cap);
    join_set<void> tasks;
    for (int p = 0; p < mpsc_storm::producers; ++p)
      tasks.spawn(mpsc_producer(st, tx, p, sd + static_cast<unsigned>(p) + 1));
    { auto drop = std::move(tx); }  // the producers hold the only senders
    tasks.spawn(mpsc_consumer(st, std::move(rx), sd));
    while (auto r = co_await tasks.join_next()) EXPECT_TRUE(*r) << "a storm task failed";
  }(s, capacity, seed));

  EXPECT_EQ(s.producers_alive.load(), 0);
  EXPECT_EQ(s.bad_ids.load(), 0);
  EXPECT_EQ(s.duplicates.load(), 0);
  EXPECT_EQ(s.out_of_order.load(), 0);
  EXPECT_EQ(s.received.load(), s.sent.load()) << s.report();
  long lost = 0, phantom = 0;
  for (std::size_t id = 0; id < s.seen.size(); ++id) {
    if (s.sent_ids[id] && !s.seen[id]) ++lost;
    if (!s.sent_ids[id] && s.seen[id]) ++phantom;  // a cancelled send that delivered
  }
  EXPECT_EQ(lost, 0) << s.report();
  EXPECT_EQ(phantom, 0) << s.report();
  EXPECT_GT(s.sent.load(), 0);
  // The storm did cancel: receives always can, sends only when the queue is full.
  EXPECT_GT(s.recv_cancelled.load(), 0);
  if (capacity != 0) {
    EXPECT_GT(s.send_cancelled.load(), 0);
  }
}

TEST_P(ChannelStorm, BoundedMpscDeliversEverySuccessfulSendOnceAndNoCancelledOne) {
  unsigned seed = storm_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (KYOTO_STRESS_SEED)");
  auto rt = make();
  run_mpsc_storm(rt, 4, seed);
}

TEST_P(ChannelStorm, UnboundedMpscDeliversEverySendOnceUnderCancelledReceives) {
  unsigned seed = storm_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (KYOTO_STRESS_SEED)");
  auto rt = make();
  run_mpsc_storm(rt, 0, seed);
}

}  // namespace
