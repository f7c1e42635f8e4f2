// 100,000 concurrent sleeping tasks against OS threads doing the same.
//
// Each waiter sleeps one second. kyoto runs every task on the runtime's few
// worker threads: a sleeping task is a coroutine frame and a timer entry,
// a couple of hundred bytes. An OS thread per waiter costs a stack (touched
// pages count in RSS; the kernel's stack per thread comes on top, unseen
// here) and a kernel scheduling entity, so the machine caps how many it can
// have: the thread side is capped at min(count, 10,000, RLIMIT_NPROC / 2,
// pid_max / 2). Printed: wall time (from the first spawn to the last
// waiter done) and the peak RSS growth, sampled while spawning.
//   async_vs_threads [count] [sleep_ms]      (default 100000 1000)
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <kyoto/kyoto.hpp>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

using clock_type = std::chrono::steady_clock;

namespace {

long rss_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6) * 1024;
  }
  return 0;
}

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

void report(const char* what, long n, double ms, long peak_growth) {
  std::printf("%-16s %7ld waiters: done in %7.0f ms, RSS +%6.1f MiB = %6ld bytes per waiter\n",
              what, n, ms, static_cast<double>(peak_growth) / (1024.0 * 1024.0),
              n > 0 ? peak_growth / n : 0);
}

struct countdown {
  std::atomic<long> left;
  kyoto::notify zero;
  explicit countdown(long n) : left(n) {}
  void count_down() {
    if (left.fetch_sub(1, std::memory_order_acq_rel) == 1) zero.notify_one();
  }
};

// The countdown is shared: the last sleeper may still be inside
// notify_one when the waiting task wakes on another worker and returns.
kyoto::task<> sleeper(std::chrono::milliseconds d, std::shared_ptr<countdown> done) {
  co_await kyoto::sleep(d);
  done->count_down();
}

kyoto::task<int> tasks_side(long n, std::chrono::milliseconds d) {
  malloc_trim(0);
  long base = rss_bytes(), peak = base;
  auto done = std::make_shared<countdown>(n);
  auto t0 = clock_type::now();
  for (long i = 0; i < n; ++i) {
    kyoto::spawn(sleeper(d, done));  // detached
    if (i % 1000 == 999) peak = std::max(peak, rss_bytes());
  }
  peak = std::max(peak, rss_bytes());
  co_await done->zero.notified();
  report("kyoto tasks:", n, ms_since(t0), peak - base);
  co_return 0;
}

long thread_cap(long n) {
  long cap = std::min(n, 10000L);
  rlimit lim{};
  if (getrlimit(RLIMIT_NPROC, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    cap = std::min(cap, static_cast<long>(lim.rlim_cur / 2));
  }
  std::ifstream pid_max("/proc/sys/kernel/pid_max");
  long pm = 0;
  if (pid_max >> pm && pm > 0) cap = std::min(cap, pm / 2);
  return std::max(cap, 1L);
}

void threads_side(long n, std::chrono::milliseconds d) {
  long cap = thread_cap(n);
  malloc_trim(0);
  long base = rss_bytes(), peak = base;
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(cap));
  auto t0 = clock_type::now();
  for (long i = 0; i < cap; ++i) {
    try {
      threads.emplace_back([d] { std::this_thread::sleep_for(d); });
    } catch (const std::system_error& e) {
      std::printf("(thread %ld could not be created: %s)\n", i + 1, e.what());
      break;
    }
    if (i % 1000 == 999) peak = std::max(peak, rss_bytes());
  }
  peak = std::max(peak, rss_bytes());
  for (auto& t : threads) t.join();
  report("OS threads:", static_cast<long>(threads.size()), ms_since(t0), peak - base);
  if (cap < n) {
    std::printf(
        "(threads capped at %ld of %ld: what this machine bears, see the top of the file)\n", cap,
        n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 100000;
  std::chrono::milliseconds d(argc > 2 ? std::atol(argv[2]) : 1000);
  if (n <= 0 || d.count() < 0) {
    std::fprintf(stderr, "usage: async_vs_threads [count > 0] [sleep_ms >= 0]\n");
    return 2;
  }
  std::printf("each waiter sleeps %lld ms\n", static_cast<long long>(d.count()));
  std::fflush(stdout);
  int rc = kyoto::run(tasks_side(n, d));
  std::fflush(stdout);
  threads_side(n, d);
  return rc;
}
