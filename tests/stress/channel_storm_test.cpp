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
  unsigned pause_one_in = 64;
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
    // Pause now and then, so that the consumer catches up and waits (and
    // gets cancelled); often on an unbounded channel, which never slows
    // its producers down.
    if (rng() % s.pause_one_in == 0) co_await kyoto::sleep(short_wait(rng));
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
  // Producers pause often, so that the queue runs dry now and then and the
  // consumer's receives wait and get cancelled: with rare pauses eight
  // producers keep a 4-slot queue full on a current-thread runtime and no
  // receive ever waits. The consumer falling behind still fills it.
  s.pause_one_in = 2;
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
  expect_runtime_quiet(rt);

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

// ---- oneshot ---------------------------------------------------------------

// What each end of one oneshot pair did.
enum class tx_did : std::uint8_t { nothing, sent, refused, dropped };
enum class rx_did : std::uint8_t { nothing, got, closed, dropped, wrong_value };

struct oneshot_storm {
  static constexpr int pairs_per_round = 64;
  long max_rounds = scaled(4'000);
  storm_deadline deadline;
  std::atomic<long> progress{0};
  std::atomic<long> rounds{0};
  std::atomic<long> delivered{0};
  std::atomic<long> waits_cancelled{0};
  std::atomic<int> tasks_alive{0};
  std::string report() const {
    std::ostringstream os;
    os << "rounds " << rounds << ", tasks alive " << tasks_alive << ", delivered " << delivered
       << ", waits cancelled " << waits_cancelled;
    return os.str();
  }
};

task<void> oneshot_tx(oneshot_storm& s, oneshot::sender<std::uint32_t> tx, std::uint32_t id,
                      unsigned seed, tx_did& did) {
  std::mt19937 rng(seed);
  for (unsigned y = rng() % 3; y > 0; --y) co_await yield_now();
  if (rng() % 6 == 0) {
    did = tx_did::dropped;  // gone without sending: the receiver gets recv_error
  } else {
    auto r = tx.send(id);
    did = r ? tx_did::sent : tx_did::refused;
    if (!r) {
      EXPECT_EQ(r.error(), id) << "send gave back another value";
    }
  }
  --s.tasks_alive;
  s.progress.fetch_add(1, std::memory_order_relaxed);
}

task<void> oneshot_rx(oneshot_storm& s, oneshot::receiver<std::uint32_t> rx, std::uint32_t id,
                      unsigned seed, rx_did& did) {
  std::mt19937 rng(seed);
  for (;;) {
    std::optional<result<std::uint32_t, oneshot::recv_error>> r;
    switch (rng() % 8) {
      case 0: {  // give up: dropping the receiver closes the channel
        auto drop = std::move(rx);
        did = rx_did::dropped;
        --s.tasks_alive;
        co_return;
      }
      case 1:
      case 2: {  // the receiver is an lvalue, kept: a cancelled wait loses nothing
        auto v = co_await kyoto::select(rx, yield_now());
        if (v.index() == 0) r = std::move(std::get<0>(v));
        break;
      }
      case 3:
      case 4: {
        auto v = co_await kyoto::timeout(short_wait(rng), rx);
        if (v) r = std::move(*v);
        break;
      }
      default:
        r = co_await rx;
        break;
    }
    if (!r) {
      ++s.waits_cancelled;
      continue;
    }
    if (!*r) {
      did = rx_did::closed;
    } else {
      did = **r == id ? rx_did::got : rx_did::wrong_value;
      ++s.delivered;
    }
    --s.tasks_alive;
    s.progress.fetch_add(1, std::memory_order_relaxed);
    co_return;
  }
}

struct oneshot_tally {
  long sent = 0, got = 0, dropped_tx = 0, dropped_rx = 0, inconsistent = 0;
};

// The outcomes of one pair must agree: a value is received iff it was sent
// and the receiver was kept; recv_error iff the sender left without sending.
void tally_pair(oneshot_tally& t, tx_did tx, rx_did rx) {
  bool ok = true;
  switch (tx) {
    case tx_did::sent:
      ++t.sent;
      ok = rx == rx_did::got || rx == rx_did::dropped;
      break;
    case tx_did::refused:
      ok = rx == rx_did::dropped;
      break;
    case tx_did::dropped:
      ++t.dropped_tx;
      ok = rx == rx_did::closed || rx == rx_did::dropped;
      break;
    case tx_did::nothing:
      ok = false;
      break;
  }
  if (rx == rx_did::got) ++t.got;
  if (rx == rx_did::dropped) ++t.dropped_rx;
  if (!ok) ++t.inconsistent;
}

TEST_P(ChannelStorm, OneshotDeliversExactlyWhatWasSentToAKeptReceiver) {
  unsigned seed = storm_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (KYOTO_STRESS_SEED)");
  auto rt = make();
  oneshot_storm s;
  oneshot_tally t;
  progress_watchdog dog("oneshot", s.progress, [&s] { return s.report(); });
  rt.block_on([](oneshot_storm& st, oneshot_tally& tl, unsigned sd) -> task<void> {
    std::mt19937 rng(sd);
    for (long round = 0; round < st.max_rounds && !st.deadline.passed(); ++round) {
      std::vector<tx_did> txs(oneshot_storm::pairs_per_round, tx_did::nothing);
      std::vector<rx_did> rxs(oneshot_storm::pairs_per_round, rx_did::nothing);
      join_set<void> tasks;
      for (int i = 0; i < oneshot_storm::pairs_per_round; ++i) {
        auto [tx, rx] = oneshot::channel<std::uint32_t>();
        auto id = static_cast<std::uint32_t>(round * oneshot_storm::pairs_per_round + i);
        st.tasks_alive += 2;
        unsigned tx_seed = rng(), rx_seed = rng();
        if (rng() % 2) {  // either end may start first
          tasks.spawn(oneshot_tx(st, std::move(tx), id, tx_seed, txs[i]));
          tasks.spawn(oneshot_rx(st, std::move(rx), id, rx_seed, rxs[i]));
        } else {
          tasks.spawn(oneshot_rx(st, std::move(rx), id, rx_seed, rxs[i]));
          tasks.spawn(oneshot_tx(st, std::move(tx), id, tx_seed, txs[i]));
        }
      }
      while (auto r = co_await tasks.join_next()) EXPECT_TRUE(*r) << "a storm task failed";
      for (int i = 0; i < oneshot_storm::pairs_per_round; ++i) tally_pair(tl, txs[i], rxs[i]);
      ++st.rounds;
    }
  }(s, t, seed));
  expect_runtime_quiet(rt);
  EXPECT_EQ(s.tasks_alive.load(), 0);
  EXPECT_EQ(t.inconsistent, 0) << s.report();
  EXPECT_EQ(t.got, s.delivered.load());  // no wrong value was delivered
  EXPECT_GT(t.got, 0);
  EXPECT_GT(t.dropped_tx, 0);
  EXPECT_GT(t.dropped_rx, 0);
  EXPECT_GT(s.waits_cancelled.load(), 0);
}

// ---- broadcast -------------------------------------------------------------

struct broadcast_storm {
  static constexpr int receivers = 4;
  static constexpr std::size_t capacity = 16;
  long max_values = scaled(2'000'000);
  storm_deadline deadline;
  std::atomic<long> progress{0};
  std::atomic<long> sent{0};
  std::atomic<long> received{0};
  std::atomic<long> missed{0};
  std::atomic<long> waits_cancelled{0};
  std::atomic<long> wrong_count{0};
  std::atomic<int> receivers_alive{receivers};
  std::string report() const {
    std::ostringstream os;
    os << "sent " << sent << ", received " << received << ", missed (lagged) " << missed
       << ", waits cancelled " << waits_cancelled << ", receivers alive " << receivers_alive;
    return os.str();
  }
};

task<void> broadcast_producer(broadcast_storm& s, broadcast::sender<long> tx, unsigned seed) {
  std::mt19937 rng(seed);
  for (long i = 0; i < s.max_values && !s.deadline.passed(); ++i) {
    auto r = tx.send(i);
    // Every receiver stays subscribed until the channel closes.
    if (!r || *r != broadcast_storm::receivers) ++s.wrong_count;
    ++s.sent;
    s.progress.fetch_add(1, std::memory_order_relaxed);
    if (rng() % 4 == 0) co_await yield_now();
    // Pause now and then, so that receivers catch up and wait (and get cancelled).
    if (rng() % 256 == 0) co_await kyoto::sleep(short_wait(rng));
  }
}

// Each receiver sees 0, 1, 2, ... in order, except for the runs a lag
// reports: it must then go on exactly `missed` values further.
task<void> broadcast_consumer(broadcast_storm& s, broadcast::receiver<long> rx, unsigned seed,
                              long& expected, long& out_of_order) {
  std::mt19937 rng(seed);
  for (;;) {
    std::optional<result<long, broadcast::recv_error>> r;
    switch (rng() % 6) {
      case 0: {
        auto v = co_await kyoto::select(rx.recv(), yield_now());
        if (v.index() == 0) r = std::move(std::get<0>(v));
        break;
      }
      case 1: {
        auto v = co_await kyoto::timeout(short_wait(rng), rx.recv());
        if (v) r = std::move(*v);
        break;
      }
      case 2:  // fall behind now and then, so that lags happen
        if (rng() % 16 == 0) co_await kyoto::sleep(short_wait(rng));
        continue;
      default:
        r = co_await rx.recv();
        break;
    }
    if (!r) {
      ++s.waits_cancelled;
      continue;
    }
    if (*r) {
      if (**r != expected) ++out_of_order;
      expected = **r + 1;
      ++s.received;
      s.progress.fetch_add(1, std::memory_order_relaxed);
    } else if (r->error().is_lagged()) {
      expected += static_cast<long>(r->error().missed);
      s.missed += static_cast<long>(r->error().missed);
    } else {
      KYOTO_CO_ASSERT(r->error().is_closed());
      --s.receivers_alive;
      co_return;
    }
  }
}

TEST_P(ChannelStorm, BroadcastReceiversSeeEveryValueInOrderOrCountItAsLagged) {
  unsigned seed = storm_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (KYOTO_STRESS_SEED)");
  auto rt = make();
  broadcast_storm s;
  std::vector<long> expected(broadcast_storm::receivers, 0);
  std::vector<long> out_of_order(broadcast_storm::receivers, 0);
  progress_watchdog dog("broadcast", s.progress, [&s] { return s.report(); });
  rt.block_on([](broadcast_storm& st, unsigned sd, std::vector<long>& exp,
                 std::vector<long>& ooo) -> task<void> {
    auto [tx, rx] = broadcast::channel<long>(broadcast_storm::capacity);
    join_set<void> tasks;
    for (int i = 1; i < broadcast_storm::receivers; ++i)
      tasks.spawn(
          broadcast_consumer(st, tx.subscribe(), sd + static_cast<unsigned>(i), exp[i], ooo[i]));
    tasks.spawn(broadcast_consumer(st, std::move(rx), sd, exp[0], ooo[0]));
    tasks.spawn(broadcast_producer(st, std::move(tx), sd + 100));
    while (auto r = co_await tasks.join_next()) EXPECT_TRUE(*r) << "a storm task failed";
  }(s, seed, expected, out_of_order));
  expect_runtime_quiet(rt);
  EXPECT_EQ(s.receivers_alive.load(), 0);
  EXPECT_EQ(s.wrong_count.load(), 0) << "send did not count every receiver";
  for (int i = 0; i < broadcast_storm::receivers; ++i) {
    EXPECT_EQ(out_of_order[i], 0) << "receiver " << i;
    EXPECT_EQ(expected[i], s.sent.load()) << "receiver " << i << ": " << s.report();
  }
  EXPECT_EQ(s.received.load() + s.missed.load(), broadcast_storm::receivers * s.sent.load())
      << s.report();
  EXPECT_GT(s.waits_cancelled.load(), 0);
}

// ---- mutex and semaphore ---------------------------------------------------

struct lock_storm {
  static constexpr int tasks = 16;
  long max_rounds = scaled(200'000);  // per task
  storm_deadline deadline;
  std::atomic<long> progress{0};
  std::atomic<long> acquired{0};
  std::atomic<long> cancelled{0};
  std::atomic<long> inside{0};
  std::atomic<long> most_inside{0};
  std::atomic<int> tasks_alive{tasks};
  std::string report() const {
    std::ostringstream os;
    os << "tasks alive " << tasks_alive << ", acquired " << acquired << ", cancelled " << cancelled
       << ", inside " << inside << ", most inside at once " << most_inside;
    return os.str();
  }
  void enter(long n) {
    long now = inside.fetch_add(n) + n;
    long m = most_inside.load();
    while (now > m && !most_inside.compare_exchange_weak(m, now)) {
    }
    ++acquired;
    progress.fetch_add(1, std::memory_order_relaxed);
  }
  void leave(long n) { inside.fetch_sub(n); }
};

// Waits for `f` (a lock or acquire future) plainly, or races it against a
// yield or a short timeout; nullopt when the wait was cancelled.
template <class F>
task<std::optional<output_of<F>>> maybe_cancelled(F f, std::mt19937& rng) {
  switch (rng() % 4) {
    case 0: {
      auto r = co_await kyoto::select(std::move(f), yield_now());
      if (r.index() == 1) co_return std::nullopt;
      co_return std::move(std::get<0>(r));
    }
    case 1: {
      auto r = co_await kyoto::timeout(short_wait(rng), std::move(f));
      if (!r) co_return std::nullopt;
      co_return std::move(*r);
    }
    default:
      co_return co_await std::move(f);
  }
}

task<void> hold_a_while(std::mt19937& rng) {
  switch (rng() % 8) {
    case 0:
      co_await kyoto::sleep(std::chrono::microseconds(rng() % 300));
      break;
    case 1:
    case 2:
      co_await yield_now();
      break;
    default:
      break;
  }
}

task<void> mutex_locker(lock_storm& s, kyoto::mutex<long>& m, unsigned seed) {
  std::mt19937 rng(seed);
  for (long i = 0; i < s.max_rounds && !s.deadline.passed(); ++i) {
    auto g = co_await maybe_cancelled(m.lock(), rng);
    if (!g) {
      ++s.cancelled;
      continue;
    }
    s.enter(1);
    ++**g;
    co_await hold_a_while(rng);
    s.leave(1);
  }
  --s.tasks_alive;
}

TEST_P(ChannelStorm, MutexIsNeverHeldTwiceAndCountsEveryCriticalSection) {
  unsigned seed = storm_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (KYOTO_STRESS_SEED)");
  auto rt = make();
  lock_storm s;
  kyoto::mutex<long> m(0L);
  progress_watchdog dog("mutex", s.progress, [&s] { return s.report(); });
  rt.block_on([](lock_storm& st, kyoto::mutex<long>& mx, unsigned sd) -> task<void> {
    join_set<void> tasks;
    for (int i = 0; i < lock_storm::tasks; ++i)
      tasks.spawn(mutex_locker(st, mx, sd + static_cast<unsigned>(i)));
    while (auto r = co_await tasks.join_next()) EXPECT_TRUE(*r) << "a storm task failed";
  }(s, m, seed));
  expect_runtime_quiet(rt);
  EXPECT_EQ(s.tasks_alive.load(), 0);
  EXPECT_EQ(s.most_inside.load(), 1) << s.report();
  EXPECT_EQ(m.get_mut(), s.acquired.load());
  EXPECT_TRUE(m.try_lock().has_value()) << "the lock was lost";
  EXPECT_GT(s.cancelled.load(), 0);
}

task<void> semaphore_user(lock_storm& s, kyoto::semaphore& sem, std::size_t permits,
                          unsigned seed) {
  std::mt19937 rng(seed);
  for (long i = 0; i < s.max_rounds && !s.deadline.passed(); ++i) {
    std::size_t n = 1 + rng() % permits;
    auto p = co_await maybe_cancelled(sem.acquire_many(n), rng);
    if (!p) {
      ++s.cancelled;
      continue;
    }
    KYOTO_CO_ASSERT(p->has_value());
    KYOTO_CO_ASSERT((*p)->num_permits() == n);
    s.enter(static_cast<long>(n));
    co_await hold_a_while(rng);
    s.leave(static_cast<long>(n));
    if (rng() % 16 == 0) {  // forgotten, then given back by hand
      (*p)->forget();
      sem.add_permits(n);
    }
  }
  --s.tasks_alive;
}

TEST_P(ChannelStorm, SemaphoreNeverHandsOutMoreThanItsPermitsAndGetsThemAllBack) {
  unsigned seed = storm_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (KYOTO_STRESS_SEED)");
  constexpr std::size_t permits = 5;
  auto rt = make();
  lock_storm s;
  kyoto::semaphore sem(permits);
  progress_watchdog dog("semaphore", s.progress, [&s] { return s.report(); });
  rt.block_on([](lock_storm& st, kyoto::semaphore& sm, unsigned sd) -> task<void> {
    join_set<void> tasks;
    for (int i = 0; i < lock_storm::tasks; ++i)
      tasks.spawn(semaphore_user(st, sm, permits, sd + static_cast<unsigned>(i)));
    while (auto r = co_await tasks.join_next()) EXPECT_TRUE(*r) << "a storm task failed";
  }(s, sem, seed));
  expect_runtime_quiet(rt);
  EXPECT_EQ(s.tasks_alive.load(), 0);
  EXPECT_LE(s.most_inside.load(), static_cast<long>(permits)) << s.report();
  EXPECT_EQ(s.inside.load(), 0);
  EXPECT_EQ(sem.available_permits(), permits);
  EXPECT_TRUE(sem.try_acquire_many(permits).has_value());
  EXPECT_GT(s.cancelled.load(), 0);
}

}  // namespace
