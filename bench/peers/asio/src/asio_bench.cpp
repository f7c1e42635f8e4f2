// Boost.Asio peer for the kyoto benchmark workloads W1..W9 (see bench/README.md).
//
// Usage: asio-bench [--quick] [workload ...]
// Prints one line per workload: `RESULT <workload> asio <figure> <unit>`.
// Every workload checks its own result; on a wrong result the program prints a
// message on stderr and exits with status 1.
//
// The "runtime" is one io_context run by nproc threads. Tasks are C++20
// coroutines (asio::awaitable) started with co_spawn; signals and oneshots are
// experimental::concurrent_channel objects (thread-safe, as the tasks of one
// io_context run on any of its threads).

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using asio::co_spawn;
using asio::detached;
using asio::use_awaitable;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr const char* runtime_name = "asio";

// ------------------------------------------------------------------ harness
struct config {
  bool quick = false;
  int warmups = 2;
  int iterations = 10;
  std::size_t size(std::size_t full) const {
    return quick ? std::max<std::size_t>(full / 100, 1) : full;
  }
};

[[noreturn]] void fail(const char* workload, const std::string& msg) {
  std::fprintf(stderr, "asio-bench: %s: verification failed: %s\n", workload, msg.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void report(const config& cfg, const char* name, const char* unit, int decimals,
            const std::function<double()>& iteration) {
  for (int i = 0; i < cfg.warmups; ++i) iteration();
  std::vector<double> figures;
  for (int i = 0; i < cfg.iterations; ++i) figures.push_back(iteration());
  std::printf("RESULT %s %s %.*f %s\n", name, runtime_name, decimals, median(figures), unit);
  std::fflush(stdout);
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// The runtime: one io_context, one thread per CPU calling run().
class runtime {
 public:
  explicit runtime(unsigned threads)
      : ctx_(static_cast<int>(threads)), guard_(ctx_.get_executor()) {
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { ctx_.run(); });
  }
  ~runtime() {
    guard_.reset();
    ctx_.stop();
    for (auto& t : threads_) t.join();
  }
  asio::io_context::executor_type executor() { return ctx_.get_executor(); }

  // Runs a coroutine as a task of the runtime and waits for it from the
  // calling (outside) thread.
  template <typename T>
  T run(awaitable<T> task) {
    return co_spawn(ctx_, std::move(task), asio::use_future).get();
  }

 private:
  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

using signal_channel = asio::experimental::concurrent_channel<void(error_code)>;

// A countdown latch: the task that brings the count to zero signals the
// (single) waiter through a concurrent_channel. Shared through shared_ptr so
// that the signalling task may still be inside done() when the waiter wakes.
class wait_group {
 public:
  template <typename Executor>
  wait_group(Executor ex, std::size_t n) : remaining_(n), signal_(ex, 1) {}
  void done() {
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) signal_.try_send(error_code{});
  }
  awaitable<void> wait() { co_await signal_.async_receive(use_awaitable); }
  std::size_t remaining() const { return remaining_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::size_t> remaining_;
  signal_channel signal_;
};

// Channel receive with a fast path: take a value that is already there
// without a round trip through the scheduler, else wait for one.
template <typename Channel>
awaitable<void> receive_signal(Channel& ch) {
  if (ch.try_receive([](error_code) {})) co_return;
  co_await ch.async_receive(use_awaitable);
}

// The executor that tasks are spawned on. co_spawn starts a coroutine with
// dispatch(): called on a thread of the io_context, that runs the new task at
// once, nested on the spawner's stack (and a 100,000-long chain of spawns
// overflows it). Spawning means scheduling, so require blocking.never, which
// turns that dispatch into a post.
awaitable<asio::any_io_executor> task_executor() {
  co_return asio::require(co_await asio::this_coro::executor, asio::execution::blocking.never);
}

// ------------------------------------------------------------------ W1
awaitable<void> count_down(std::shared_ptr<wait_group> wg) {
  wg->done();
  co_return;
}

awaitable<std::size_t> spawn_many_local_driver(std::size_t n) {
  auto ex = co_await task_executor();
  auto wg = std::make_shared<wait_group>(ex, n);
  for (std::size_t i = 0; i < n; ++i) co_spawn(ex, count_down(wg), detached);
  co_await wg->wait();
  co_return wg->remaining();
}

double spawn_many_local(runtime& rt, std::size_t n) {
  auto t0 = clock_type::now();
  std::size_t left = rt.run(spawn_many_local_driver(n));
  double s = seconds_since(t0);
  if (left != 0) fail("spawn_many_local", std::to_string(left) + " tasks did not run");
  return n / s;
}

// ------------------------------------------------------------------ W2
// Join handles from outside the runtime: co_spawn with use_future gives a
// std::future per task; the outside thread waits for them in order.
awaitable<std::size_t> identity(std::size_t i) { co_return i; }

double spawn_many_remote(runtime& rt, std::size_t n) {
  auto t0 = clock_type::now();
  auto ex = rt.executor();
  std::vector<std::future<std::size_t>> joins;
  joins.reserve(n);
  for (std::size_t i = 0; i < n; ++i) joins.push_back(co_spawn(ex, identity(i), asio::use_future));
  std::size_t sum = 0;
  for (auto& j : joins) sum += j.get();
  double s = seconds_since(t0);
  if (sum != n * (n - 1) / 2) fail("spawn_many_remote", "sum of results " + std::to_string(sum));
  return n / s;
}

// ------------------------------------------------------------------ W3
// yield_now: post the continuation to the back of the io_context's queue.
awaitable<void> yielder(std::size_t yields, std::shared_ptr<wait_group> wg,
                        std::atomic<std::size_t>& total) {
  auto ex = co_await asio::this_coro::executor;
  std::size_t done = 0;
  for (std::size_t i = 0; i < yields; ++i) {
    co_await asio::post(ex, use_awaitable);
    ++done;
  }
  total.fetch_add(done, std::memory_order_relaxed);
  wg->done();
}

awaitable<std::size_t> yield_many_driver(std::size_t tasks, std::size_t yields) {
  auto ex = co_await task_executor();
  auto wg = std::make_shared<wait_group>(ex, tasks);
  std::atomic<std::size_t> total{0};
  for (std::size_t i = 0; i < tasks; ++i) co_spawn(ex, yielder(yields, wg, total), detached);
  co_await wg->wait();
  co_return total.load();
}

double yield_many(runtime& rt, std::size_t tasks, std::size_t yields) {
  auto t0 = clock_type::now();
  std::size_t total = rt.run(yield_many_driver(tasks, yields));
  double s = seconds_since(t0);
  if (total != tasks * yields) fail("yield_many", std::to_string(total) + " yields");
  return total / s;
}

// ------------------------------------------------------------------ W4
// A oneshot is a fresh concurrent_channel of capacity 1. A ping carries the
// pong channel and the channel of the next ping, so every round trip uses a
// fresh pair.
using pong_channel = signal_channel;
struct ping_channel;
struct ping_msg {
  std::shared_ptr<pong_channel> pong;
  std::shared_ptr<ping_channel> next;
};
using ping_channel_base = asio::experimental::concurrent_channel<void(error_code, ping_msg)>;
struct ping_channel : ping_channel_base {
  using ping_channel_base::ping_channel_base;
};

awaitable<void> pinger(std::shared_ptr<ping_channel> ping, std::size_t rounds,
                       std::shared_ptr<wait_group> wg, std::atomic<std::size_t>& total) {
  auto ex = co_await asio::this_coro::executor;
  std::size_t done = 0;
  for (std::size_t r = 0; r < rounds; ++r) {
    auto pong = std::make_shared<pong_channel>(ex, 1);
    auto next = r + 1 < rounds ? std::make_shared<ping_channel>(ex, 1) : nullptr;
    if (!ping->try_send(error_code{}, ping_msg{pong, next})) break;
    co_await receive_signal(*pong);
    ++done;
    ping = std::move(next);
  }
  total.fetch_add(done, std::memory_order_relaxed);
  wg->done();
}

awaitable<void> ponger(std::shared_ptr<ping_channel> ping, std::shared_ptr<wait_group> wg) {
  while (ping) {
    ping_msg msg;
    if (!ping->try_receive([&](error_code, ping_msg m) { msg = std::move(m); }))
      msg = co_await ping->async_receive(use_awaitable);
    msg.pong->try_send(error_code{});
    ping = std::move(msg.next);
  }
  wg->done();
}

awaitable<std::size_t> ping_pong_driver(std::size_t pairs, std::size_t rounds) {
  auto ex = co_await task_executor();
  auto wg = std::make_shared<wait_group>(ex, 2 * pairs);
  std::atomic<std::size_t> total{0};
  for (std::size_t i = 0; i < pairs; ++i) {
    auto first = std::make_shared<ping_channel>(ex, 1);
    co_spawn(ex, ponger(first, wg), detached);
    co_spawn(ex, pinger(first, rounds, wg, total), detached);
  }
  co_await wg->wait();
  co_return total.load();
}

double ping_pong(runtime& rt, std::size_t pairs, std::size_t rounds) {
  auto t0 = clock_type::now();
  std::size_t total = rt.run(ping_pong_driver(pairs, rounds));
  double s = seconds_since(t0);
  if (total != pairs * rounds) fail("ping_pong", std::to_string(total) + " round trips");
  return total / s;
}

// ------------------------------------------------------------------ W5
struct chain_end {
  template <typename Executor>
  explicit chain_end(Executor ex) : signal(ex, 1) {}
  std::atomic<std::size_t> reached{0};
  signal_channel signal;
};

awaitable<void> chain_link(std::size_t index, std::size_t depth, std::shared_ptr<chain_end> end) {
  if (index + 1 == depth) {
    end->reached.store(index + 1, std::memory_order_release);
    end->signal.try_send(error_code{});
  } else {
    co_spawn(co_await asio::this_coro::executor, chain_link(index + 1, depth, std::move(end)),
             detached);
  }
}

awaitable<std::size_t> chained_spawn_driver(std::size_t depth) {
  auto ex = co_await task_executor();
  auto end = std::make_shared<chain_end>(ex);
  co_spawn(ex, chain_link(0, depth, end), detached);
  co_await end->signal.async_receive(use_awaitable);
  co_return end->reached.load(std::memory_order_acquire);
}

double chained_spawn(runtime& rt, std::size_t depth) {
  auto t0 = clock_type::now();
  std::size_t reached = rt.run(chained_spawn_driver(depth));
  double s = seconds_since(t0);
  if (reached != depth) fail("chained_spawn", "chain ended at " + std::to_string(reached));
  return depth / s;
}

// ------------------------------------------------------------------ W6
using u64_channel = asio::experimental::concurrent_channel<void(error_code, std::uint64_t)>;

awaitable<void> producer(std::shared_ptr<u64_channel> ch, std::uint64_t base, std::size_t count,
                         std::shared_ptr<wait_group> wg) {
  for (std::uint64_t i = 0; i < count; ++i) {
    // Fast path when there is room; otherwise wait for room.
    if (!ch->try_send(error_code{}, base + i))
      co_await ch->async_send(error_code{}, base + i, use_awaitable);
  }
  wg->done();
}

struct sum_count {
  std::uint64_t sum = 0;
  std::size_t count = 0;
};

awaitable<sum_count> consumer(std::shared_ptr<u64_channel> ch, std::size_t total) {
  sum_count r;
  while (r.count < total) {
    std::uint64_t v = 0;
    if (!ch->try_receive([&](error_code, std::uint64_t x) { v = x; }))
      v = co_await ch->async_receive(use_awaitable);
    r.sum += v;
    ++r.count;
  }
  co_return r;
}

awaitable<sum_count> mpsc_driver(std::size_t per_producer) {
  constexpr std::size_t producers = 4, capacity = 1024;
  auto ex = co_await task_executor();
  auto ch = std::make_shared<u64_channel>(ex, capacity);
  auto wg = std::make_shared<wait_group>(ex, producers);
  for (std::size_t p = 0; p < producers; ++p)
    co_spawn(ex, producer(ch, p * per_producer, per_producer, wg), detached);
  // Spawn the consumer as its own task and await its result (its "join").
  sum_count r = co_await co_spawn(ex, consumer(ch, producers * per_producer), use_awaitable);
  co_await wg->wait();
  co_return r;
}

double mpsc_bounded(runtime& rt, std::size_t per_producer) {
  std::size_t total = 4 * per_producer;
  auto t0 = clock_type::now();
  sum_count r = rt.run(mpsc_driver(per_producer));
  double s = seconds_since(t0);
  std::uint64_t expected = std::uint64_t(total) * (total - 1) / 2;
  if (r.count != total || r.sum != expected) fail("mpsc_bounded", "sum " + std::to_string(r.sum));
  return total / s;
}

// ------------------------------------------------------------------ W7
awaitable<void> sleeper(std::chrono::milliseconds d, std::shared_ptr<wait_group> wg,
                        std::atomic<std::size_t>& early) {
  auto t0 = clock_type::now();
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(use_awaitable);
  if (clock_type::now() - t0 < d) early.fetch_add(1, std::memory_order_relaxed);
  wg->done();
}

awaitable<std::size_t> timers_driver(std::size_t n) {
  auto ex = co_await task_executor();
  auto wg = std::make_shared<wait_group>(ex, n);
  std::atomic<std::size_t> early{0};
  for (std::size_t i = 0; i < n; ++i)
    co_spawn(ex, sleeper(std::chrono::milliseconds(i % 100 + 1), wg, early), detached);
  co_await wg->wait();
  co_return early.load();
}

double timers(runtime& rt, std::size_t n) {
  auto t0 = clock_type::now();
  std::size_t early = rt.run(timers_driver(n));
  double s = seconds_since(t0);
  if (early != 0) fail("timers", std::to_string(early) + " sleeps woke up early");
  return s * 1e3;
}

// ------------------------------------------------------------------ W8
// Timeout = awaitable operator ||: the ready operation races a 1 s timer.
awaitable<std::uint64_t> ready_value(std::uint64_t v) { co_return v; }

awaitable<std::optional<std::uint64_t>> timeout_churn_driver(std::size_t n) {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    asio::steady_timer timeout(ex, std::chrono::seconds(1));
    auto r = co_await (ready_value(i) || timeout.async_wait(use_awaitable));
    if (r.index() != 0) co_return std::nullopt;
    sum += std::get<0>(r);
  }
  co_return sum;
}

double timeout_churn(runtime& rt, std::size_t n) {
  auto t0 = clock_type::now();
  auto sum = rt.run(timeout_churn_driver(n));
  double s = seconds_since(t0);
  if (sum != std::uint64_t(n) * (n - 1) / 2) fail("timeout_churn", "timed out or wrong sum");
  return n / s;
}

// ------------------------------------------------------------------ W8b
// Armed: async_wait registers the wait with the timer queue. Cancelled: the
// timer is destroyed at once, which cancels the wait; the iteration ends when
// every wait has completed with operation_aborted.
awaitable<std::size_t> timer_arm_cancel_driver(std::size_t n) {
  auto ex = co_await task_executor();
  auto wg = std::make_shared<wait_group>(ex, n);
  auto aborted = std::make_shared<std::atomic<std::size_t>>(0);
  for (std::size_t i = 0; i < n; ++i) {
    asio::steady_timer timer(ex, std::chrono::seconds(1));
    timer.async_wait([wg, aborted](error_code ec) {
      if (ec == asio::error::operation_aborted) aborted->fetch_add(1, std::memory_order_relaxed);
      wg->done();
    });
  }
  co_await wg->wait();
  co_return aborted->load();
}

double timer_arm_cancel(runtime& rt, std::size_t n) {
  auto t0 = clock_type::now();
  std::size_t aborted = rt.run(timer_arm_cancel_driver(n));
  double s = seconds_since(t0);
  if (aborted != n)
    fail("timer_arm_cancel", std::to_string(n - aborted) + " waits were not cancelled");
  return n / s;
}

// ------------------------------------------------------------------ W9
long rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) * 1024;
  fail("idle_task_memory", "no VmRSS in /proc/self/status");
}

struct idle_state {
  template <typename Executor>
  idle_state(Executor ex, std::size_t n) : gate(ex, 0), wg(ex, n) {}
  signal_channel gate;  // never sent to; closed at the end, which releases every waiter
  wait_group wg;
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> released{0};
};

awaitable<void> idle_task(std::shared_ptr<idle_state> st) {
  st->started.fetch_add(1, std::memory_order_acq_rel);
  auto [ec] = co_await st->gate.async_receive(asio::as_tuple(use_awaitable));
  if (ec) st->released.fetch_add(1, std::memory_order_relaxed);
  st->wg.done();
}

struct idle_result {
  double growth;
  std::size_t released;
};

awaitable<idle_result> idle_driver(std::size_t n) {
  auto ex = co_await task_executor();
  auto st = std::make_shared<idle_state>(ex, n);
  malloc_trim(0);  // return memory freed by earlier iterations to the OS
  long before = rss_bytes();
  for (std::size_t i = 0; i < n; ++i) co_spawn(ex, idle_task(st), detached);
  while (st->started.load(std::memory_order_acquire) < n) co_await asio::post(ex, use_awaitable);
  long after = rss_bytes();
  st->gate.close();
  co_await st->wg.wait();
  co_return idle_result{double(after - before), st->released.load()};
}

double idle_task_memory(runtime& rt, std::size_t n) {
  idle_result r = rt.run(idle_driver(n));
  if (r.released != n) fail("idle_task_memory", std::to_string(r.released) + " tasks released");
  return r.growth / double(n);
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
      std::puts("usage: asio-bench [--quick] [workload ...]");
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

  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  runtime rt(threads);

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
