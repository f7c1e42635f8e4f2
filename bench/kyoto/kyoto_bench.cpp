// kyoto's implementation of the benchmark workloads (bench/WORKLOADS.md,
// bench/README.md).
//
// Usage: kyoto_bench [--quick] [workload ...]
// Prints `RESULT <workload> kyoto <figure> <unit>` per workload. Every
// workload verifies its own result; a wrong result prints a message on
// stderr and exits with status 1. --quick divides sizes by 100 and runs
// 1 warm-up + 3 timed iterations (CI smoke mode).
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <kyoto/kyoto.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
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
// Each round trip uses a fresh pair of oneshots: the ping carries the pong
// sender and the receiver of the next ping.
struct ping_link {
  std::size_t seq;
  kyoto::oneshot::sender<std::size_t> pong;
  kyoto::oneshot::receiver<ping_link> next;
  ping_link(std::size_t s, kyoto::oneshot::sender<std::size_t> p,
            kyoto::oneshot::receiver<ping_link> n)
      : seq(s), pong(std::move(p)), next(std::move(n)) {}
};

kyoto::task<std::size_t> ponger(kyoto::oneshot::receiver<ping_link> rx, std::size_t rounds) {
  std::size_t answered = 0;
  for (std::size_t i = 0; i < rounds; ++i) {
    auto r = co_await rx;
    if (!r) co_return answered;
    ping_link link = std::move(*r);
    if (!link.pong.send(link.seq + 1)) co_return answered;
    rx = std::move(link.next);
    ++answered;
  }
  co_return answered;
}

kyoto::task<std::size_t> pinger(kyoto::oneshot::sender<ping_link> tx, std::size_t rounds) {
  std::size_t ok = 0;
  for (std::size_t i = 0; i < rounds; ++i) {
    auto [pong_tx, pong_rx] = kyoto::oneshot::channel<std::size_t>();
    auto [next_tx, next_rx] = kyoto::oneshot::channel<ping_link>();
    if (!tx.send(ping_link(i, std::move(pong_tx), std::move(next_rx)))) co_return ok;
    auto r = co_await pong_rx;
    if (r && *r == i + 1) ++ok;
    tx = std::move(next_tx);
  }
  co_return ok;
}

kyoto::task<std::size_t> ping_pong_body(std::size_t pairs, std::size_t rounds) {
  std::vector<kyoto::join_handle<std::size_t>> joins;
  joins.reserve(pairs);
  for (std::size_t p = 0; p < pairs; ++p) {
    auto [tx, rx] = kyoto::oneshot::channel<ping_link>();
    kyoto::spawn(ponger(std::move(rx), rounds));
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

// ------------------------------------------------------------------ W5
struct chain_shared {
  kyoto::notify done;
  std::atomic<std::size_t> spawned{0};
};

kyoto::task<void> chain_link(std::shared_ptr<chain_shared> s, std::size_t left) {
  s->spawned.fetch_add(1, std::memory_order_relaxed);
  if (left == 0) {
    s->done.notify_one();
  } else {
    kyoto::spawn(chain_link(s, left - 1));
  }
  co_return;
}

kyoto::task<std::size_t> chained_spawn_body(std::size_t depth) {
  auto s = std::make_shared<chain_shared>();
  kyoto::spawn(chain_link(s, depth - 1));
  co_await s->done.notified();
  co_return s->spawned.load();
}

double chained_spawn(kyoto::runtime& rt, std::size_t depth) {
  auto start = clock_type::now();
  std::size_t spawned = run_in_task(rt, chained_spawn_body(depth));
  auto elapsed = clock_type::now() - start;
  if (spawned != depth) fail("chained_spawn", "wrong chain length " + std::to_string(spawned));
  return rate(depth, elapsed);
}

// ------------------------------------------------------------------ W6
kyoto::task<void> producer(kyoto::mpsc::sender<std::uint64_t> tx, std::uint64_t first,
                           std::uint64_t count) {
  for (std::uint64_t i = 0; i < count; ++i) {
    if (!co_await tx.send(first + i)) co_return;
  }
}

kyoto::task<std::pair<std::uint64_t, std::uint64_t>> mpsc_body(std::size_t per_producer) {
  auto [tx, rx] = kyoto::mpsc::channel<std::uint64_t>(1024);
  for (std::uint64_t p = 0; p < 4; ++p) kyoto::spawn(producer(tx, p * per_producer, per_producer));
  { auto drop = std::move(tx); }
  std::uint64_t sum = 0, count = 0;
  while (auto v = co_await rx.recv()) {
    sum += *v;
    ++count;
  }
  co_return std::pair<std::uint64_t, std::uint64_t>(sum, count);
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

struct idle_shared {
  kyoto::notify gate;
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> released{0};
  std::atomic<std::size_t> remaining;
  kyoto::notify done;
  explicit idle_shared(std::size_t n) : remaining(n) {}
};

kyoto::task<void> idle_task(std::shared_ptr<idle_shared> s) {
  auto wait = s->gate.notified();
  s->started.fetch_add(1, std::memory_order_acq_rel);
  co_await std::move(wait);
  s->released.fetch_add(1, std::memory_order_acq_rel);
  if (s->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) s->done.notify_one();
}

kyoto::task<std::pair<double, std::size_t>> idle_body(std::size_t n) {
  auto s = std::make_shared<idle_shared>(n);
  // Give memory freed by earlier iterations back (kyoto's frame depot, then
  // malloc's free pages), so that the growth measured is what these tasks take.
  kyoto::detail::frame_cache_trim();
  malloc_trim(0);
  std::size_t before = rss_bytes();
  for (std::size_t i = 0; i < n; ++i) kyoto::spawn(idle_task(s));
  while (s->started.load(std::memory_order_acquire) < n) co_await kyoto::yield_now();
  std::size_t after = rss_bytes();
  s->gate.notify_waiters();
  co_await s->done.notified();
  co_return std::pair<double, std::size_t>(static_cast<double>(after) - static_cast<double>(before),
                                           s->released.load());
}

double idle_task_memory(kyoto::runtime& rt, std::size_t n) {
  auto [growth, released] = run_in_task(rt, idle_body(n));
  if (released != n) fail("idle_task_memory", std::to_string(released) + " tasks released");
  return growth / static_cast<double>(n);
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
          "spawn_many_remote yield_many ping_pong chained_spawn mpsc_bounded timers timeout_churn "
          "timer_arm_cancel idle_task_memory");
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
  return 0;
}
