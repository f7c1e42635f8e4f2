// The run queues: local ring (push, pop, steal half, overflow) and the
// injection queue's batch pop.
#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <set>
#include <thread>
#include <vector>

#include "runtime/scheduler/inject_queue.hpp"
#include "runtime/scheduler/multi_thread/local_queue.hpp"
#include "runtime/scheduler/task_ring.hpp"

using namespace kyoto::detail;

namespace {

std::deque<task_header> make_tasks(std::size_t n) {
  std::deque<task_header> ts;
  for (std::size_t i = 0; i < n; ++i) ts.emplace_back(0, nullptr);
  return ts;
}

TEST(RunQueue, LocalQueueIsFifoForItsOwner) {
  auto ts = make_tasks(10);
  inject_queue inject;
  local_queue q;
  for (auto& t : ts) q.push_back(&t, inject);
  for (auto& t : ts) EXPECT_EQ(q.pop(), &t);
  EXPECT_EQ(q.pop(), nullptr);
}

TEST(RunQueue, OverflowMovesHalfToTheInjectionQueue) {
  auto ts = make_tasks(local_queue::capacity + 1);
  inject_queue inject;
  local_queue q;
  for (auto& t : ts) q.push_back(&t, inject);
  EXPECT_EQ(inject.len(), local_queue::capacity / 2 + 1);
  std::set<task_header*> seen;
  while (task_header* t = q.pop()) seen.insert(t);
  std::vector<task_header*> out(1000);
  std::size_t n = inject.pop_n(out.data(), out.size());
  seen.insert(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
  EXPECT_EQ(seen.size(), ts.size());
}

TEST(RunQueue, InjectPopNReturnsAtMostNOldestFirst) {
  auto ts = make_tasks(5);
  inject_queue inject;
  for (auto& t : ts) EXPECT_TRUE(inject.push(&t));
  task_header* out[3];
  ASSERT_EQ(inject.pop_n(out, 3), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out[i], &ts[static_cast<std::size_t>(i)]);
  EXPECT_EQ(inject.len(), 2u);
  EXPECT_EQ(inject.pop(), &ts[3]);
  EXPECT_EQ(inject.pop(), &ts[4]);
  EXPECT_EQ(inject.pop(), nullptr);
}

// The ring keeps FIFO order across growth and wrap-around.
TEST(RunQueue, TaskRingStaysFifoWhileGrowingAndWrapping) {
  auto ts = make_tasks(1000);
  task_ring ring;
  std::size_t next_in = 0, next_out = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 17 && next_in < ts.size(); ++i) ring.push(&ts[next_in++]);
    task_header* batch[3] = {&ts[0], &ts[0], &ts[0]};
    std::size_t k = 0;
    for (; k < 3 && next_in < ts.size(); ++k) batch[k] = &ts[next_in++];
    ring.push_n(batch, k);
    for (int i = 0; i < 7; ++i) {
      task_header* t = ring.pop();
      ASSERT_NE(t, nullptr);
      EXPECT_EQ(t, &ts[next_out++]);
    }
  }
  task_header* out[64];
  while (std::size_t n = ring.pop_n(out, 64)) {
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(out[i], &ts[next_out++]);
  }
  EXPECT_EQ(next_out, next_in);
  EXPECT_TRUE(ring.empty());
}

TEST(RunQueue, StealTakesHalfAndNothingIsLostUnderConcurrency) {
  constexpr int rounds = 2000;
  auto ts = make_tasks(200);
  inject_queue inject;
  for (int r = 0; r < rounds; ++r) {
    local_queue owner, thief;
    std::atomic<bool> go{false};
    std::vector<task_header*> stolen;
    std::thread th([&] {
      while (!go.load()) {
      }
      for (int k = 0; k < 4; ++k) {
        if (task_header* t = owner.steal_into(thief)) stolen.push_back(t);
        while (task_header* t = thief.pop()) stolen.push_back(t);
      }
    });
    std::vector<task_header*> popped;
    for (std::size_t i = 0; i < 100; ++i) owner.push_back(&ts[i], inject);
    go = true;
    for (std::size_t i = 100; i < ts.size(); ++i) {
      owner.push_back(&ts[i], inject);
      if (i % 3 == 0) {
        if (task_header* t = owner.pop()) popped.push_back(t);
      }
    }
    th.join();
    while (task_header* t = owner.pop()) popped.push_back(t);
    std::set<task_header*> all(popped.begin(), popped.end());
    all.insert(stolen.begin(), stolen.end());
    std::vector<task_header*> out(1000);
    std::size_t overflowed = inject.pop_n(out.data(), out.size());
    all.insert(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(overflowed));
    ASSERT_EQ(all.size(), ts.size()) << "round " << r;  // nothing lost
    ASSERT_EQ(popped.size() + stolen.size() + overflowed, ts.size())
        << "round " << r;  // no duplicate
  }
}

}  // namespace
