// How long a storm test runs, and the watchdog that fails it loudly when
// it stops making progress.
//
// A storm runs for stress_duration(): 2 s by default (what CI runs), or
// KYOTO_STRESS_SECONDS seconds for a long run by hand:
//   KYOTO_STRESS_SECONDS=600 build/release/tests/kyoto_stress_tests
// Each storm also caps its work (an iteration count), so a slow build
// (sanitizers, see sanitized_build) ends at whichever limit comes first.
//
// progress_watchdog is a plain thread that samples a progress counter
// once a second; if it has not moved for 10 s, it prints the storm's
// counters and aborts, so a lost wake-up is reported with its state
// instead of as a timeout of the whole test.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include "kyoto/runtime.hpp"

namespace kyoto::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool sanitized_build = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool sanitized_build = true;
#else
inline constexpr bool sanitized_build = false;
#endif
#else
inline constexpr bool sanitized_build = false;
#endif

/// Storm length: KYOTO_STRESS_SECONDS if set to a positive number, else 2 s.
inline std::chrono::milliseconds stress_duration() {
  if (const char* s = std::getenv("KYOTO_STRESS_SECONDS")) {
    char* end = nullptr;
    double v = std::strtod(s, &end);
    if (end != s && v > 0) return std::chrono::milliseconds(static_cast<long long>(v * 1000));
  }
  return std::chrono::seconds(2);
}

/// `n` in a normal build, `n / divisor` (at least 1) under a sanitizer.
inline long scaled(long n, long divisor = 4) {
  if (!sanitized_build) return n;
  return n / divisor > 0 ? n / divisor : 1;
}

/// The end of a storm: now + stress_duration().
class storm_deadline {
 public:
  storm_deadline() : end_(std::chrono::steady_clock::now() + stress_duration()) {}
  bool passed() const { return std::chrono::steady_clock::now() >= end_; }

 private:
  std::chrono::steady_clock::time_point end_;
};

class progress_watchdog {
 public:
  /// `report` prints the storm's counters; it runs on the watchdog thread,
  /// so it must read only atomics.
  progress_watchdog(std::string name, const std::atomic<long>& progress,
                    std::function<std::string()> report)
      : name_(std::move(name)),
        progress_(progress),
        report_(std::move(report)),
        thread_([this] { run(); }) {}
  progress_watchdog(const progress_watchdog&) = delete;
  progress_watchdog& operator=(const progress_watchdog&) = delete;
  ~progress_watchdog() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void run() {
    long last = progress_.load();
    int still = 0;
    std::unique_lock lock(m_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
      long now = progress_.load();
      if (now != last) {
        last = now;
        still = 0;
        continue;
      }
      if (++still >= 10) {
        std::fprintf(stderr, "storm %s made no progress for 10 s (progress %ld): %s\n",
                     name_.c_str(), now, report_().c_str());
        std::fflush(stderr);
        std::abort();
      }
    }
  }

  std::string name_;
  const std::atomic<long>& progress_;
  std::function<std::string()> report_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the fields above exist
};

/// The seed of a storm: KYOTO_STRESS_SEED if set (to replay a failure),
/// else a fresh one; tests print it through SCOPED_TRACE.
inline unsigned storm_seed() {
  if (const char* s = std::getenv("KYOTO_STRESS_SEED"))
    return static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

/// The end-of-storm leak check: once the storm's tasks are joined, the
/// runtime holds nothing (runtime::metrics): no live task, no queued one,
/// no armed timer, no registered descriptor. Figures settle a moment after
/// the last join on a multi-thread runtime: waits 5 s at most.
inline void expect_runtime_quiet(runtime& rt) {
  auto quiet = [&] {
    auto m = rt.metrics();
    return m.num_alive_tasks == 0 && m.global_queue_depth == 0 && m.num_timers == 0 &&
           m.num_io_sources == 0;
  };
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
       !quiet() && std::chrono::steady_clock::now() < end;)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto m = rt.metrics();
  EXPECT_EQ(m.num_alive_tasks, 0u) << "tasks left alive after the storm";
  EXPECT_EQ(m.global_queue_depth, 0u);
  EXPECT_EQ(m.num_timers, 0u) << "timers left armed after the storm";
  EXPECT_EQ(m.num_io_sources, 0u) << "descriptors left registered after the storm";
}

}  // namespace kyoto::test
