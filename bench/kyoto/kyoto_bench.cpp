// kyoto's implementation of the benchmark workloads (bench/WORKLOADS.md,
// bench/README.md).
//
// Usage: kyoto_bench [--quick] [workload ...]
// Prints `RESULT <workload> kyoto <figure> <unit>` per workload. Every
// workload verifies its own result; a wrong result prints a message on
// stderr and exits with status 1. --quick divides sizes by 100 and runs
// 1 warm-up + 3 timed iterations (CI smoke mode).
//
// fs_read and fs_copy (F1, F2) read the data file that bench/run makes with
// tools/fs_data, named by the environment: BENCH_FS_FILE (its path),
// BENCH_FS_BYTES (its size) and BENCH_FS_SUM (its checksum, 16 hex digits;
// tools/fs_data.c defines it). Without BENCH_FS_FILE they are skipped (a
// note on stderr), or fail when named on the command line.
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <kyoto/kyoto.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct config {
  bool quick = false;
  int warmups = 2;
  int iterations = 10;
  std::size_t size(std::size_t full) const {
    return quick ? std::max<std::size_t>(full / 100, 1) : full;
  }
};

[[noreturn]] void fail(const char* workload, const std::string& msg) {
  std::fprintf(stderr, "kyoto_bench: %s: verification failed: %s\n", workload, msg.c_str());
  std::exit(1);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void report(const config& cfg, const char* name, const char* unit, int decimals,
            const std::function<double()>& iteration) {
  for (int i = 0; i < cfg.warmups; ++i) iteration();
  std::vector<double> figures;
  for (int i = 0; i < cfg.iterations; ++i) figures.push_back(iteration());
  std::printf("RESULT %s kyoto %.*f %s\n", name, decimals, median(figures), unit);
  std::fflush(stdout);
}

double rate(std::size_t count, clock_type::duration elapsed) {
  return static_cast<double>(count) / std::chrono::duration<double>(elapsed).count();
}

// Runs `t` as a task on a worker and waits for it from this (outside) thread.
template <class T>
T run_in_task(kyoto::runtime& rt, kyoto::task<T> t) {
  return rt.block_on(rt.spawn(std::move(t))).value();
}

// A future that is ready at once with its value (Rust's future::ready).
template <class T>
class ready_future {
 public:
  using output_type = T;
  explicit ready_future(T v) : v_(std::move(v)) {}
  kyoto::poll_result<T> poll(kyoto::context&) { return std::move(v_); }

 private:
  T v_;
};
template <class T>
ready_future<T> ready_value(T v) {
  return ready_future<T>(std::move(v));
}

// ------------------------------------------------------------------ W1
struct spawn_shared {
  std::atomic<std::size_t> remaining;
  kyoto::notify done;
  explicit spawn_shared(std::size_t n) : remaining(n) {}
};

kyoto::task<void> decrement(std::shared_ptr<spawn_shared> s) {
  if (s->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) s->done.notify_one();
  co_return;
}

kyoto::task<std::size_t> spawn_many_local_body(std::size_t n) {
  auto s = std::make_shared<spawn_shared>(n);
  for (std::size_t i = 0; i < n; ++i) kyoto::spawn(decrement(s));
  co_await s->done.notified();
  co_return s->remaining.load(std::memory_order_acquire);
}

double spawn_many_local(kyoto::runtime& rt, std::size_t n) {
  auto start = clock_type::now();
  std::size_t left = run_in_task(rt, spawn_many_local_body(n));
  auto elapsed = clock_type::now() - start;
  if (left != 0) fail("spawn_many_local", std::to_string(left) + " tasks did not run");
  return rate(n, elapsed);
}

// ------------------------------------------------------------------ W2
kyoto::task<std::size_t> identity(std::size_t i) { co_return i; }

kyoto::task<std::size_t> await_in_order(std::vector<kyoto::join_handle<std::size_t>> joins) {
  std::size_t sum = 0;
  for (auto& j : joins) sum += (co_await j).value();
  co_return sum;
}

double spawn_many_remote(kyoto::runtime& rt, std::size_t n) {
  auto start = clock_type::now();
  auto handle = rt.handle();
  std::vector<kyoto::join_handle<std::size_t>> joins;
  joins.reserve(n);
  for (std::size_t i = 0; i < n; ++i) joins.push_back(handle.spawn(identity(i)));
  std::size_t sum = rt.block_on(await_in_order(std::move(joins)));
  auto elapsed = clock_type::now() - start;
  if (sum != n * (n - 1) / 2) fail("spawn_many_remote", "wrong sum " + std::to_string(sum));
  return rate(n, elapsed);
}

// ------------------------------------------------------------------ W3
kyoto::task<std::size_t> yielder(std::size_t yields) {
  std::size_t done = 0;
  for (std::size_t i = 0; i < yields; ++i) {
    co_await kyoto::yield_now();
    ++done;
  }
  co_return done;
}

kyoto::task<std::size_t> yield_many_body(std::size_t tasks, std::size_t yields) {
  std::vector<kyoto::join_handle<std::size_t>> joins;
  joins.reserve(tasks);
  for (std::size_t i = 0; i < tasks; ++i) joins.push_back(kyoto::spawn(yielder(yields)));
  std::size_t total = 0;
  for (auto& j : joins) total += (co_await j).value();
  co_return total;
}

double yield_many(kyoto::runtime& rt, std::size_t tasks, std::size_t yields) {
  auto start = clock_type::now();
  std::size_t total = run_in_task(rt, yield_many_body(tasks, yields));
  auto elapsed = clock_type::now() - start;
  if (total != tasks * yields) fail("yield_many", "wrong yield count " + std::to_string(total));
  return rate(tasks * yields, elapsed);
}

// ------------------------------------------------------------------ W4
// One ping carries the sender of the pong and the receiver of the next ping,
// so every round trip uses a fresh pair of oneshots; the last ping carries
// no next receiver (Tokio peer: Ping { pong, next: Option<Receiver<Ping>> }).
struct ping {
  kyoto::oneshot::sender<std::monostate> pong;
  std::optional<kyoto::oneshot::receiver<ping>> next;
  ping(kyoto::oneshot::sender<std::monostate> p, std::optional<kyoto::oneshot::receiver<ping>> n)
      : pong(std::move(p)), next(std::move(n)) {}
};

kyoto::task<std::size_t> pinger(kyoto::oneshot::sender<ping> tx, std::size_t rounds) {
  std::size_t done = 0;
  for (std::size_t round = 0; round < rounds; ++round) {
    auto [pong_tx, pong_rx] = kyoto::oneshot::channel<std::monostate>();
    std::optional<kyoto::oneshot::sender<ping>> next_tx;
    std::optional<kyoto::oneshot::receiver<ping>> next_rx;
    if (round + 1 < rounds) {
      auto [t, r] = kyoto::oneshot::channel<ping>();
      next_tx.emplace(std::move(t));
      next_rx.emplace(std::move(r));
    }
    if (!tx.send(ping(std::move(pong_tx), std::move(next_rx)))) co_return done;
    auto r = co_await pong_rx;
    if (!r) co_return done;
    ++done;
    if (!next_tx) break;
    tx = std::move(*next_tx);
  }
  co_return done;
}

kyoto::task<void> ponger(kyoto::oneshot::receiver<ping> rx) {
  for (;;) {
    auto r = co_await rx;
    if (!r) co_return;
    ping p = std::move(*r);
    (void)p.pong.send(std::monostate{});
    if (!p.next) co_return;
    rx = std::move(*p.next);
  }
}

kyoto::task<std::size_t> ping_pong_body(std::size_t pairs, std::size_t rounds) {
  std::vector<kyoto::join_handle<std::size_t>> joins;
  joins.reserve(pairs);
  for (std::size_t p = 0; p < pairs; ++p) {
    auto [tx, rx] = kyoto::oneshot::channel<ping>();
    kyoto::spawn(ponger(std::move(rx)));
    joins.push_back(kyoto::spawn(pinger(std::move(tx), rounds)));
  }
  std::size_t total = 0;
  for (auto& j : joins) total += (co_await j).value();
  co_return total;
}

double ping_pong(kyoto::runtime& rt, std::size_t pairs, std::size_t rounds) {
  auto start = clock_type::now();
  std::size_t total = run_in_task(rt, ping_pong_body(pairs, rounds));
  auto elapsed = clock_type::now() - start;
  if (total != pairs * rounds) fail("ping_pong", "wrong round trips " + std::to_string(total));
  return rate(pairs * rounds, elapsed);
}

// ------------------------------------------------------------------ W4b
// A user's shape: each pinger spawns its own ponger; the ponger creates the
// channel of the next ping and sends its sender back inside the pong. The
// pinger drops the last sender, which ends the ponger, and joins it.
struct spawned_pong;
struct spawned_ping {
  std::size_t seq;
  kyoto::oneshot::sender<spawned_pong> pong;
  spawned_ping(std::size_t s, kyoto::oneshot::sender<spawned_pong> p)
      : seq(s), pong(std::move(p)) {}
};
struct spawned_pong {
  std::size_t seq;
  kyoto::oneshot::sender<spawned_ping> next;
  spawned_pong(std::size_t s, kyoto::oneshot::sender<spawned_ping> n)
      : seq(s), next(std::move(n)) {}
};

kyoto::task<std::size_t> spawned_ponger(kyoto::oneshot::receiver<spawned_ping> rx) {
  std::size_t answered = 0;
  for (;;) {
    auto r = co_await rx;
    if (!r) break;
    spawned_ping p = std::move(*r);
    auto [next_tx, next_rx] = kyoto::oneshot::channel<spawned_ping>();
    if (!p.pong.send(spawned_pong(p.seq + 1, std::move(next_tx)))) break;
    ++answered;
    rx = std::move(next_rx);
  }
  co_return answered;
}

kyoto::task<std::size_t> spawned_pinger(std::size_t rounds) {
  auto [first_tx, first_rx] = kyoto::oneshot::channel<spawned_ping>();
  auto ponger_handle = kyoto::spawn(spawned_ponger(std::move(first_rx)));
  std::size_t ok = 0;
  {
    auto tx = std::move(first_tx);
    for (std::size_t seq = 0; seq < rounds; ++seq) {
      auto [pong_tx, pong_rx] = kyoto::oneshot::channel<spawned_pong>();
      if (!tx.send(spawned_ping(seq, std::move(pong_tx)))) break;
      auto r = co_await pong_rx;
      if (!r || r->seq != seq + 1) break;
      ++ok;
      tx = std::move(r->next);
    }
  }  // the last sender is dropped: the ponger's next wait ends
  std::size_t answered = (co_await ponger_handle).value();
  co_return answered == ok ? ok : 0;
}

kyoto::task<std::size_t> ping_pong_spawned_body(std::size_t pairs, std::size_t rounds) {
  std::vector<kyoto::join_handle<std::size_t>> joins;
  joins.reserve(pairs);
  for (std::size_t p = 0; p < pairs; ++p) joins.push_back(kyoto::spawn(spawned_pinger(rounds)));
  std::size_t total = 0;
  for (auto& j : joins) total += (co_await j).value();
  co_return total;
}

double ping_pong_spawned(kyoto::runtime& rt, std::size_t pairs, std::size_t rounds) {
  auto start = clock_type::now();
  std::size_t total = run_in_task(rt, ping_pong_spawned_body(pairs, rounds));
  auto elapsed = clock_type::now() - start;
  if (total != pairs * rounds)
    fail("ping_pong_spawned", "wrong round trips " + std::to_string(total));
  return rate(pairs * rounds, elapsed);
}

// ------------------------------------------------------------------ W5
// Each link moves the oneshot sender into the task it spawns; the last link
// sends the chain length (Tokio peer: chain_link(index, depth, done)).
kyoto::task<void> chain_link(std::size_t index, std::size_t depth,
                             kyoto::oneshot::sender<std::size_t> done) {
  if (index + 1 == depth) {
    (void)done.send(index + 1);
  } else {
    kyoto::spawn(chain_link(index + 1, depth, std::move(done)));
  }
  co_return;
}

kyoto::task<std::size_t> chained_spawn_body(std::size_t depth) {
  auto [tx, rx] = kyoto::oneshot::channel<std::size_t>();
  kyoto::spawn(chain_link(0, depth, std::move(tx)));
  auto r = co_await rx;
  co_return r ? *r : 0;
}

double chained_spawn(kyoto::runtime& rt, std::size_t depth) {
  auto start = clock_type::now();
  std::size_t reached = run_in_task(rt, chained_spawn_body(depth));
  auto elapsed = clock_type::now() - start;
  if (reached != depth) fail("chained_spawn", "chain ended at " + std::to_string(reached));
  return rate(depth, elapsed);
}

// ------------------------------------------------------------------ W6
kyoto::task<void> producer(kyoto::mpsc::sender<std::uint64_t> tx, std::uint64_t first,
                           std::uint64_t count) {
  for (std::uint64_t i = 0; i < count; ++i) {
    if (!co_await tx.send(first + i)) co_return;
  }
}

// The consumer is a spawned task the driver joins, as in the Tokio peer.
kyoto::task<std::pair<std::uint64_t, std::uint64_t>> consumer(
    kyoto::mpsc::receiver<std::uint64_t> rx) {
  std::uint64_t sum = 0, count = 0;
  for (;;) {
    auto v = co_await rx.recv();
    if (!v) break;
    sum += *v;
    ++count;
  }
  co_return std::pair<std::uint64_t, std::uint64_t>(sum, count);
}

kyoto::task<std::pair<std::uint64_t, std::uint64_t>> mpsc_body(std::size_t per_producer) {
  auto [tx, rx] = kyoto::mpsc::channel<std::uint64_t>(1024);
  for (std::uint64_t p = 0; p < 4; ++p) kyoto::spawn(producer(tx, p * per_producer, per_producer));
  { auto drop = std::move(tx); }
  auto r = co_await kyoto::spawn(consumer(std::move(rx)));
  co_return r.value();
}

double mpsc_bounded(kyoto::runtime& rt, std::size_t per_producer) {
  auto start = clock_type::now();
  auto [sum, count] = run_in_task(rt, mpsc_body(per_producer));
  auto elapsed = clock_type::now() - start;
  std::uint64_t n = 4 * per_producer;
  if (count != n || sum != n * (n - 1) / 2) fail("mpsc_bounded", "wrong count or sum");
  return rate(n, elapsed);
}

// ------------------------------------------------------------------ W7
kyoto::task<bool> timed_sleep(std::size_t i) {
  auto d = std::chrono::milliseconds(i % 100 + 1);
  auto t0 = kyoto::instant::now();
  co_await kyoto::sleep(d);
  co_return t0.elapsed() < d;
}

kyoto::task<std::size_t> timers_body(std::size_t n) {
  std::vector<kyoto::join_handle<bool>> joins;
  joins.reserve(n);
  for (std::size_t i = 0; i < n; ++i) joins.push_back(kyoto::spawn(timed_sleep(i)));
  std::size_t early = 0;
  for (auto& j : joins) early += (co_await j).value();
  co_return early;
}

double timers(kyoto::runtime& rt, std::size_t n) {
  auto start = clock_type::now();
  std::size_t early = run_in_task(rt, timers_body(n));
  auto elapsed = clock_type::now() - start;
  if (early != 0) fail("timers", std::to_string(early) + " sleeps woke up early");
  return std::chrono::duration<double, std::milli>(elapsed).count();
}

// ------------------------------------------------------------------ W8
kyoto::task<std::optional<std::uint64_t>> timeout_churn_body(std::size_t n) {
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto r = co_await kyoto::timeout(std::chrono::seconds(1), ready_value(i));
    if (!r) co_return std::nullopt;
    sum += *r;
  }
  co_return sum;
}

double timeout_churn(kyoto::runtime& rt, std::size_t n) {
  auto start = clock_type::now();
  auto sum = run_in_task(rt, timeout_churn_body(n));
  auto elapsed = clock_type::now() - start;
  std::uint64_t expected = static_cast<std::uint64_t>(n) * (n - 1) / 2;
  if (sum != expected) fail("timeout_churn", "wrong sum");
  return rate(n, elapsed);
}

// ------------------------------------------------------------------ W8b
// Polls the referenced future exactly once; ready with whether it was ready.
template <class F>
class poll_once {
 public:
  using output_type = bool;
  explicit poll_once(F& f) : f_(&f) {}
  kyoto::poll_result<bool> poll(kyoto::context& cx) { return f_->poll(cx).is_ready(); }

 private:
  F* f_;
};

kyoto::task<std::size_t> arm_cancel_body(std::size_t n) {
  std::size_t pending = 0;
  for (std::size_t i = 0; i < n; ++i) {
    kyoto::sleep s(std::chrono::seconds(1));
    if (!co_await poll_once<kyoto::sleep>(s)) ++pending;
  }  // each sleep is dropped armed: its entry is cancelled
  co_return pending;
}

double timer_arm_cancel(kyoto::runtime& rt, std::size_t n) {
  auto start = clock_type::now();
  // unconstrained, as the Tokio peer: a sleep polled with no budget left
  // does not register with the driver.
  std::size_t pending = rt.block_on(rt.spawn(kyoto::unconstrained(arm_cancel_body(n)))).value();
  auto elapsed = clock_type::now() - start;
  if (pending != n) fail("timer_arm_cancel", std::to_string(n - pending) + " sleeps were ready");
  return rate(n, elapsed);
}

// ------------------------------------------------------------------ W9
std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Every W9 row: n idle tasks, each holding a shared_ptr to one of these
// (Tokio: Arc<...>); RSS growth per task is read between "before the spawns"
// and "every task has started", then every task is released and counted.
// Freed memory of earlier iterations is given back first (kyoto's frame
// depot, then malloc's free pages), so the growth is what these tasks take.
void give_back_memory() {
  kyoto::detail::frame_cache_trim();
  malloc_trim(0);
}

// W9: a semaphore with no permits, closed to release (Tokio peer: the same).
struct idle_shared {
  kyoto::semaphore gate{0};
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> remaining;
  std::atomic<std::size_t> released{0};
  kyoto::notify done;
  explicit idle_shared(std::size_t n) : remaining(n) {}
};

kyoto::task<void> idle_task(std::shared_ptr<idle_shared> s) {
  s->started.fetch_add(1, std::memory_order_acq_rel);
  // The gate has no permits: this waits until it is closed.
  auto permit = co_await s->gate.acquire();
  if (!permit) s->released.fetch_add(1, std::memory_order_acq_rel);
  if (s->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) s->done.notify_one();
}

kyoto::task<std::pair<double, std::size_t>> idle_body(std::size_t n) {
  auto s = std::make_shared<idle_shared>(n);
  give_back_memory();
  std::size_t before = rss_bytes();
  for (std::size_t i = 0; i < n; ++i) kyoto::spawn(idle_task(s));
  while (s->started.load(std::memory_order_acquire) < n) co_await kyoto::yield_now();
  std::size_t after = rss_bytes();
  s->gate.close();
  co_await s->done.notified();
  co_return std::pair<double, std::size_t>(static_cast<double>(after) - static_cast<double>(before),
                                           s->released.load(std::memory_order_acquire));
}

double idle_task_memory(kyoto::runtime& rt, std::size_t n) {
  auto [growth, released] = run_in_task(rt, idle_body(n));
  if (released != n) fail("idle_task_memory", std::to_string(released) + " tasks released");
  return growth / static_cast<double>(n);
}

// W9b: kyoto's cheaper idiom, a notify. The notified() future is made before
// `started` is counted, so notify_waiters reaches it even if it was never
// polled (Tokio's Notified counts notify_waiters calls from creation too).
struct idle_notify_shared {
  kyoto::notify gate;
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> remaining;
  std::atomic<std::size_t> released{0};
  kyoto::notify done;
  explicit idle_notify_shared(std::size_t n) : remaining(n) {}
};

kyoto::task<void> idle_notify_task(std::shared_ptr<idle_notify_shared> s) {
  auto wait = s->gate.notified();
  s->started.fetch_add(1, std::memory_order_acq_rel);
  co_await std::move(wait);
  s->released.fetch_add(1, std::memory_order_acq_rel);
  if (s->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) s->done.notify_one();
}

kyoto::task<std::pair<double, std::size_t>> idle_notify_body(std::size_t n) {
  auto s = std::make_shared<idle_notify_shared>(n);
  give_back_memory();
  std::size_t before = rss_bytes();
  for (std::size_t i = 0; i < n; ++i) kyoto::spawn(idle_notify_task(s));
  while (s->started.load(std::memory_order_acquire) < n) co_await kyoto::yield_now();
  std::size_t after = rss_bytes();
  s->gate.notify_waiters();
  co_await s->done.notified();
  co_return std::pair<double, std::size_t>(static_cast<double>(after) - static_cast<double>(before),
                                           s->released.load(std::memory_order_acquire));
}

double idle_task_memory_notify(kyoto::runtime& rt, std::size_t n) {
  auto [growth, released] = run_in_task(rt, idle_notify_body(n));
  if (released != n) fail("idle_task_memory_notify", std::to_string(released) + " tasks released");
  return growth / static_cast<double>(n);
}

// W9c: a mutex the driver holds; unlocking releases the first waiter, and
// each task takes the lock in turn, counts itself under it and drops it.
struct idle_mutex_shared {
  kyoto::mutex<std::size_t> gate{std::size_t{0}};
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> remaining;
  std::atomic<std::size_t> released{0};
  kyoto::notify done;
  explicit idle_mutex_shared(std::size_t n) : remaining(n) {}
};

kyoto::task<void> idle_mutex_task(std::shared_ptr<idle_mutex_shared> s) {
  s->started.fetch_add(1, std::memory_order_acq_rel);
  {
    auto guard = co_await s->gate.lock();
    *guard += 1;
  }
  s->released.fetch_add(1, std::memory_order_acq_rel);
  if (s->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) s->done.notify_one();
}

struct idle_counts {
  double growth;
  std::size_t released;
  std::size_t checked;  // the row's second count (see each row)
};

kyoto::task<idle_counts> idle_mutex_body(std::size_t n) {
  auto s = std::make_shared<idle_mutex_shared>(n);
  std::optional<kyoto::mutex_guard<std::size_t>> held(co_await s->gate.lock());
  give_back_memory();
  std::size_t before = rss_bytes();
  for (std::size_t i = 0; i < n; ++i) kyoto::spawn(idle_mutex_task(s));
  while (s->started.load(std::memory_order_acquire) < n) co_await kyoto::yield_now();
  std::size_t after = rss_bytes();
  held.reset();
  co_await s->done.notified();
  std::size_t counted = *(co_await s->gate.lock());
  co_return idle_counts{static_cast<double>(after) - static_cast<double>(before),
                        s->released.load(std::memory_order_acquire), counted};
}

double idle_task_memory_mutex(kyoto::runtime& rt, std::size_t n) {
  auto r = run_in_task(rt, idle_mutex_body(n));
  if (r.released != n || r.checked != n)
    fail("idle_task_memory_mutex", std::to_string(r.released) + " tasks released, " +
                                       std::to_string(r.checked) + " counted under the lock");
  return r.growth / static_cast<double>(n);
}

// W9d: each task owns the receiver of its own mpsc channel of capacity 1 and
// waits on recv(); the driver keeps the senders (a vector of n, 8 bytes each
// on both sides, counted in the growth) and releases every task by sending it
// its index, then drops the senders.
struct idle_count_shared {
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> remaining;
  std::atomic<std::size_t> released{0};
  kyoto::notify done;
  explicit idle_count_shared(std::size_t n) : remaining(n) {}
};

kyoto::task<void> idle_mpsc_task(std::shared_ptr<idle_count_shared> s,
                                 kyoto::mpsc::receiver<std::size_t> rx, std::size_t index) {
  s->started.fetch_add(1, std::memory_order_acq_rel);
  auto v = co_await rx.recv();
  if (v && *v == index) s->released.fetch_add(1, std::memory_order_acq_rel);
  if (s->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) s->done.notify_one();
}

kyoto::task<idle_counts> idle_mpsc_body(std::size_t n) {
  auto s = std::make_shared<idle_count_shared>(n);
  give_back_memory();
  std::size_t before = rss_bytes();
  std::vector<kyoto::mpsc::sender<std::size_t>> senders;
  senders.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto [tx, rx] = kyoto::mpsc::channel<std::size_t>(1);
    senders.push_back(std::move(tx));
    kyoto::spawn(idle_mpsc_task(s, std::move(rx), i));
  }
  while (s->started.load(std::memory_order_acquire) < n) co_await kyoto::yield_now();
  std::size_t after = rss_bytes();
  std::size_t sent = 0;
  for (std::size_t i = 0; i < n; ++i) sent += senders[i].try_send(i).has_value();
  senders.clear();
  co_await s->done.notified();
  co_return idle_counts{static_cast<double>(after) - static_cast<double>(before),
                        s->released.load(std::memory_order_acquire), sent};
}

double idle_task_memory_mpsc(kyoto::runtime& rt, std::size_t n) {
  auto r = run_in_task(rt, idle_mpsc_body(n));
  if (r.released != n || r.checked != n)
    fail("idle_task_memory_mpsc", std::to_string(r.checked) + " sent, " +
                                      std::to_string(r.released) + " received by their task");
  return r.growth / static_cast<double>(n);
}

// W9e: each task sleeps for an hour; the driver keeps the join handles (8
// bytes each on both sides, counted in the growth), aborts every task
// through its handle and checks that every join reports cancellation.
kyoto::task<void> idle_sleep_task(std::shared_ptr<idle_count_shared> s) {
  s->started.fetch_add(1, std::memory_order_acq_rel);
  co_await kyoto::sleep(std::chrono::hours(1));
  s->released.fetch_add(1, std::memory_order_acq_rel);  // never: the task is aborted
}

kyoto::task<idle_counts> idle_sleep_body(std::size_t n) {
  auto s = std::make_shared<idle_count_shared>(n);
  give_back_memory();
  std::size_t before = rss_bytes();
  std::vector<kyoto::join_handle<void>> joins;
  joins.reserve(n);
  for (std::size_t i = 0; i < n; ++i) joins.push_back(kyoto::spawn(idle_sleep_task(s)));
  while (s->started.load(std::memory_order_acquire) < n) co_await kyoto::yield_now();
  std::size_t after = rss_bytes();
  for (auto& j : joins) j.abort();
  std::size_t cancelled = 0;
  for (auto& j : joins) {
    auto r = co_await j;
    if (!r && r.error().is_cancelled()) ++cancelled;
  }
  co_return idle_counts{static_cast<double>(after) - static_cast<double>(before), cancelled,
                        s->released.load(std::memory_order_acquire)};
}

double idle_task_memory_sleep(kyoto::runtime& rt, std::size_t n) {
  auto r = run_in_task(rt, idle_sleep_body(n));
  if (r.released != n || r.checked != 0)
    fail("idle_task_memory_sleep", std::to_string(r.released) + " joins cancelled, " +
                                       std::to_string(r.checked) + " sleeps ended");
  return r.growth / static_cast<double>(n);
}

// ------------------------------------------------------------------ F1, F2
struct fs_input {
  std::string path;
  std::uint64_t bytes = 0;
  std::uint64_t sum = 0;
};

std::optional<fs_input> fs_input_from_env() {
  const char* path = std::getenv("BENCH_FS_FILE");
  const char* bytes = std::getenv("BENCH_FS_BYTES");
  const char* sum = std::getenv("BENCH_FS_SUM");
  if (!path || !bytes || !sum) return std::nullopt;
  return fs_input{path, std::strtoull(bytes, nullptr, 10), std::strtoull(sum, nullptr, 16)};
}

// tools/fs_data.c's checksum: FNV-style over little-endian u64 words.
std::uint64_t checksum(const std::byte* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001b3ULL;
  }
  return h;
}

// Verifies a file with plain blocking reads (outside the timed part).
void verify_file(const char* workload, const std::string& path, const fs_input& in) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(workload, "cannot open " + path);
  std::vector<std::byte> all(in.bytes + 1);
  std::size_t done = 0;
  for (;;) {
    ssize_t r = ::read(fd, all.data() + done, all.size() - done);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail(workload, "cannot read " + path);
    if (r == 0 || (done += static_cast<std::size_t>(r)) == all.size()) break;
  }
  ::close(fd);
  if (done != in.bytes) fail(workload, path + " has " + std::to_string(done) + " bytes");
  if (checksum(all.data(), done) != in.sum) fail(workload, path + ": wrong checksum");
}

kyoto::task<kyoto::io::result<std::vector<std::byte>>> fs_read_body(std::string path) {
  auto f = co_await kyoto::fs::file::open(path);
  if (!f) co_return kyoto::err(f.error());
  std::vector<std::byte> all;
  auto n = co_await kyoto::io::read_to_end(*f, all);
  if (!n) co_return kyoto::err(n.error());
  co_return all;
}

double fs_read(kyoto::runtime& rt, const fs_input& in) {
  auto start = clock_type::now();
  auto all = run_in_task(rt, fs_read_body(in.path));
  auto elapsed = clock_type::now() - start;  // the buffer is freed untimed
  if (!all) fail("fs_read", all.error().message());
  if (all->size() != in.bytes) fail("fs_read", "read " + std::to_string(all->size()) + " bytes");
  if (checksum(all->data(), all->size()) != in.sum) fail("fs_read", "wrong checksum");
  return rate(in.bytes, elapsed) / (1024.0 * 1024.0);
}

kyoto::task<kyoto::io::result<std::uint64_t>> fs_copy_body(std::string from, std::string to) {
  co_return co_await kyoto::fs::copy(from, to);
}

double fs_copy(kyoto::runtime& rt, const fs_input& in) {
  std::string to = in.path + ".copy-kyoto";
  std::filesystem::remove(to);  // the copy creates it (untimed)
  auto start = clock_type::now();
  auto n = run_in_task(rt, fs_copy_body(in.path, to));
  auto elapsed = clock_type::now() - start;
  if (!n) fail("fs_copy", n.error().message());
  if (*n != in.bytes) fail("fs_copy", "copied " + std::to_string(*n) + " bytes");
  verify_file("fs_copy", to, in);
  return rate(in.bytes, elapsed) / (1024.0 * 1024.0);
}

// ------------------------------------------------------------------ P1
// `concurrency` tasks each take the next of n spawns until none is left.
constexpr std::size_t process_concurrency = 16;

kyoto::task<std::size_t> spawn_true_worker(std::shared_ptr<std::atomic<std::size_t>> next,
                                           std::size_t n) {
  std::size_t ok = 0;
  for (;;) {
    if (next->fetch_add(1, std::memory_order_relaxed) >= n) break;
    auto st = co_await kyoto::process::command("true").status();
    if (!st) {
      std::fprintf(stderr, "kyoto_bench: process_spawn: %s\n", st.error().message().c_str());
      break;
    }
    if (st->success()) ++ok;
  }
  co_return ok;
}

kyoto::task<std::size_t> process_spawn_body(std::size_t n) {
  auto next = std::make_shared<std::atomic<std::size_t>>(0);
  std::vector<kyoto::join_handle<std::size_t>> joins;
  for (std::size_t i = 0; i < process_concurrency; ++i)
    joins.push_back(kyoto::spawn(spawn_true_worker(next, n)));
  std::size_t ok = 0;
  for (auto& j : joins) ok += (co_await j).value();
  co_return ok;
}

double process_spawn(kyoto::runtime& rt, std::size_t n) {
  auto start = clock_type::now();
  std::size_t ok = run_in_task(rt, process_spawn_body(n));
  auto elapsed = clock_type::now() - start;
  if (ok != n) fail("process_spawn", std::to_string(ok) + " of " + std::to_string(n) + " exited 0");
  return rate(n, elapsed);
}

}  // namespace

int main(int argc, char** argv) {
  config cfg;
  std::vector<std::string> selected;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      cfg.quick = true;
    } else if (a == "-h" || a == "--help") {
      std::puts(
          "usage: kyoto_bench [--quick] [workload ...]\nworkloads: spawn_many_local "
          "spawn_many_remote yield_many ping_pong ping_pong_spawned chained_spawn mpsc_bounded "
          "timers timeout_churn timer_arm_cancel idle_task_memory idle_task_memory_notify "
          "idle_task_memory_mutex idle_task_memory_mpsc idle_task_memory_sleep fs_read fs_copy "
          "process_spawn");
      return 0;
    } else {
      selected.push_back(a);
    }
  }
  if (cfg.quick) {
    cfg.warmups = 1;
    cfg.iterations = 3;
  }
  auto wanted = [&](const char* name) {
    return selected.empty() || std::find(selected.begin(), selected.end(), name) != selected.end();
  };
  auto rt = kyoto::runtime::builder::multi_thread().enable_all().build();

  if (wanted("spawn_many_local"))
    report(cfg, "spawn_many_local", "tasks/s", 0,
           [&] { return spawn_many_local(rt, cfg.size(100'000)); });
  if (wanted("spawn_many_remote"))
    report(cfg, "spawn_many_remote", "tasks/s", 0,
           [&] { return spawn_many_remote(rt, cfg.size(100'000)); });
  if (wanted("yield_many"))
    report(cfg, "yield_many", "yields/s", 0, [&] { return yield_many(rt, 200, cfg.size(1'000)); });
  if (wanted("ping_pong"))
    report(cfg, "ping_pong", "round_trips/s", 0,
           [&] { return ping_pong(rt, cfg.size(1'000), 100); });
  if (wanted("ping_pong_spawned"))
    report(cfg, "ping_pong_spawned", "round_trips/s", 0,
           [&] { return ping_pong_spawned(rt, cfg.size(1'000), 100); });
  if (wanted("chained_spawn"))
    report(cfg, "chained_spawn", "spawns/s", 0,
           [&] { return chained_spawn(rt, cfg.size(100'000)); });
  if (wanted("mpsc_bounded"))
    report(cfg, "mpsc_bounded", "msgs/s", 0, [&] { return mpsc_bounded(rt, cfg.size(250'000)); });
  if (wanted("timers"))
    report(cfg, "timers", "ms", 1, [&] { return timers(rt, cfg.size(100'000)); });
  if (wanted("timeout_churn"))
    report(cfg, "timeout_churn", "ops/s", 0,
           [&] { return timeout_churn(rt, cfg.size(1'000'000)); });
  if (wanted("timer_arm_cancel"))
    report(cfg, "timer_arm_cancel", "ops/s", 0,
           [&] { return timer_arm_cancel(rt, cfg.size(1'000'000)); });
  if (wanted("idle_task_memory"))
    report(cfg, "idle_task_memory", "bytes/task", 1,
           [&] { return idle_task_memory(rt, cfg.size(1'000'000)); });
  if (wanted("idle_task_memory_notify"))
    report(cfg, "idle_task_memory_notify", "bytes/task", 1,
           [&] { return idle_task_memory_notify(rt, cfg.size(1'000'000)); });
  if (wanted("idle_task_memory_mutex"))
    report(cfg, "idle_task_memory_mutex", "bytes/task", 1,
           [&] { return idle_task_memory_mutex(rt, cfg.size(1'000'000)); });
  if (wanted("idle_task_memory_mpsc"))
    report(cfg, "idle_task_memory_mpsc", "bytes/task", 1,
           [&] { return idle_task_memory_mpsc(rt, cfg.size(1'000'000)); });
  if (wanted("idle_task_memory_sleep"))
    report(cfg, "idle_task_memory_sleep", "bytes/task", 1,
           [&] { return idle_task_memory_sleep(rt, cfg.size(1'000'000)); });
  auto fs_in = fs_input_from_env();
  for (const char* name : {"fs_read", "fs_copy"}) {
    if (!wanted(name)) continue;
    if (!fs_in) {
      if (!selected.empty())
        fail(name, "BENCH_FS_FILE, BENCH_FS_BYTES and BENCH_FS_SUM are not set");
      std::fprintf(stderr, "kyoto_bench: %s skipped: no BENCH_FS_FILE (bench/run sets it)\n", name);
      continue;
    }
    verify_file(name, fs_in->path, *fs_in);  // and into the page cache
    if (std::strcmp(name, "fs_read") == 0)
      report(cfg, name, "MiB/s", 0, [&] { return fs_read(rt, *fs_in); });
    else
      report(cfg, name, "MiB/s", 0, [&] { return fs_copy(rt, *fs_in); });
  }
  if (fs_in && wanted("fs_copy")) std::filesystem::remove(fs_in->path + ".copy-kyoto");
  if (wanted("process_spawn"))
    report(cfg, "process_spawn", "processes/s", 0,
           [&] { return process_spawn(rt, cfg.quick ? 50 : 1000); });
  return 0;
}
