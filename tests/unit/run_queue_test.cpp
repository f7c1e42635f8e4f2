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

using namespace kyoto::detail;

namespace {

std::deque<task_header> make_tasks(std::size_t n) {
  std::deque<task_header> ts;
  for (std::size_t i = 0; i < n; ++i) ts.emplace_back(0, nullptr, nullptr);
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
  for (task_header* t = inject.pop_n(1000); t; t = t->queue_next) seen.insert(t);
  EXPECT_EQ(seen.size(), ts.size());
}

TEST(RunQueue, InjectPopNReturnsAChainOfAtMostN) {
  auto ts = make_tasks(5);
  inject_queue inject;
  for (auto& t : ts) EXPECT_TRUE(inject.push(&t));
  task_header* chain = inject.pop_n(3);
  int n = 0;
  for (task_header* t = chain; t; t = t->queue_next) EXPECT_EQ(t, &ts[n++]);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(inject.len(), 2u);
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
    std::size_t overflowed = 0;
    for (task_header* t = inject.pop_n(1000); t; t = t->queue_next, ++overflowed) all.insert(t);
    ASSERT_EQ(all.size(), ts.size()) << "round " << r;  // nothing lost
    ASSERT_EQ(popped.size() + stolen.size() + overflowed, ts.size())
        << "round " << r;  // no duplicate
  }
}

}  // namespace
