#include "util/parker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

using kyoto::detail::parker;

TEST(Parker, UnparkBeforeParkReturnsImmediately) {
  parker p;
  p.unpark();
  auto start = std::chrono::steady_clock::now();
  p.park_for(std::chrono::seconds(10));  // the token is there: no wait at all
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The token is spent: the next park really waits, until its timeout.
  start = std::chrono::steady_clock::now();
  p.park_for(std::chrono::milliseconds(20));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
  // And park() (no timeout) returns after an unpark.
  p.unpark();
  p.park();
}

TEST(Parker, TokensDoNotAccumulate) {
  parker p;
  p.unpark();
  p.unpark();
  p.park();
  auto start = std::chrono::steady_clock::now();
  p.park_for(std::chrono::milliseconds(20));  // no token left: times out
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
}

TEST(Parker, NoLostWakeUpsAcrossThreads) {
  parker p;
  std::atomic<int> produced{0};
  constexpr int rounds = 100'000;
  std::thread producer([&] {
    for (int i = 0; i < rounds; ++i) {
      produced.fetch_add(1, std::memory_order_relaxed);
      p.unpark();
    }
  });
  int seen = 0;
  while (seen < rounds) {
    int now = produced.load(std::memory_order_relaxed);
    if (now == seen) {
      p.park();
      continue;
    }
    seen = now;
  }
  producer.join();
  EXPECT_EQ(seen, rounds);
}
