#include <gtest/gtest.h>

#include <vector>

#include "time/wheel/wheel.hpp"

using namespace kyoto::detail;

namespace {

std::vector<std::uint64_t> advance_to(timer_wheel& w, std::uint64_t now) {
  std::vector<std::uint64_t> fired;
  w.advance(now, [&](timer_entry& e) {
    fired.push_back(e.deadline_ms);
    return true;
  });
  return fired;
}

TEST(TimerWheel, FiresInDeadlineOrderAcrossLevels) {
  timer_wheel w;
  std::vector<std::uint64_t> deadlines{5, 63, 64, 65, 4095, 4096, 300'000, 1, 70, 262'144};
  std::vector<timer_entry> entries(deadlines.size());
  for (std::size_t i = 0; i < deadlines.size(); ++i) {
    entries[i].deadline_ms = deadlines[i];
    w.insert(entries[i]);
  }
  EXPECT_EQ(w.size(), deadlines.size());
  EXPECT_EQ(w.next_expiration(), 1u);
  auto fired = advance_to(w, 1'000'000);
  EXPECT_EQ(fired,
            (std::vector<std::uint64_t>{1, 5, 63, 64, 65, 70, 4095, 4096, 262'144, 300'000}));
  EXPECT_EQ(w.size(), 0u);
}

TEST(TimerWheel, NothingFiresBeforeItsDeadline) {
  timer_wheel w;
  timer_entry e;
  e.deadline_ms = 1000;
  w.insert(e);
  EXPECT_TRUE(advance_to(w, 999).empty());
  EXPECT_EQ(advance_to(w, 1000), (std::vector<std::uint64_t>{1000}));
}

TEST(TimerWheel, RemoveUnlinksAndClearsTheSlot) {
  timer_wheel w;
  timer_entry a, b;
  a.deadline_ms = 10;
  b.deadline_ms = 10;
  w.insert(a);
  w.insert(b);
  w.remove(a);
  EXPECT_EQ(w.size(), 1u);
  w.remove(b);
  EXPECT_EQ(w.size(), 0u);
  EXPECT_FALSE(w.next_expiration().has_value());
}

TEST(TimerWheel, StoppingFireLeavesTheRestForTheNextCall) {
  timer_wheel w;
  std::vector<timer_entry> es(10);
  for (auto& e : es) {
    e.deadline_ms = 3;
    w.insert(e);
  }
  int calls = 0;
  w.advance(3, [&](timer_entry&) { return ++calls <= 4; });
  EXPECT_EQ(w.size(), 6u);
  EXPECT_EQ(advance_to(w, 3).size(), 6u);
}

TEST(TimerWheel, FarDeadlinesAreClamped) {
  timer_wheel w;
  timer_entry e;
  e.deadline_ms = ~std::uint64_t{0};
  w.insert(e);
  EXPECT_EQ(w.next_expiration().has_value(), true);
  EXPECT_EQ(advance_to(w, timer_wheel::max_deadline).size(), 1u);
}

}  // namespace
