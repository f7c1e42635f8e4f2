// kyoto::scope: children borrow from the caller, the scope ends after all
// of them, failures cancel the siblings and reach the awaiter, and a
// dropped scope cancels its children before its destructor returns.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "co_assert.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

class RtScope : public every_flavor {};
KYOTO_EVERY_FLAVOR(RtScope);

task<void> square_into(int x, int& out) {
  co_await yield_now();
  out = x * x;
}

TEST_P(RtScope, ChildrenWriteIntoTheCallersFrameAndAllFinishFirst) {
  auto rt = make();
  int total = rt.block_on([]() -> task<int> {
    std::array<int, 64> squares{};
    co_await kyoto::scope([&](scope_handle& s) -> task<void> {
      for (int i = 0; i < 64; ++i) s.spawn(square_into(i, squares[static_cast<std::size_t>(i)]));
      EXPECT_EQ(s.size(), 64u);
      co_return;
    });
    int sum = 0;
    for (int v : squares) sum += v;
    co_return sum;
  }());
  int want = 0;
  for (int i = 0; i < 64; ++i) want += i * i;
  EXPECT_EQ(total, want);
}

TEST_P(RtScope, TheBodysValueIsTheScopesAndLambdaChildrenKeepTheirCaptures) {
  auto rt = make();
  int r = rt.block_on([]() -> task<int> {
    int a = 0, b = 0;
    int base = 10;
    // The closure (and so what it captures) lives in the scope until every
    // child is done. Not the body's locals: they end at its co_return.
    int got = co_await kyoto::scope([&, offset = base](scope_handle& s) -> task<int> {
      s.spawn([&]() -> task<void> {
        co_await kyoto::sleep(1ms);
        a = offset + 1;
      });
      s.spawn([&]() -> task<void> {
        co_await yield_now();
        b = base + 2;  // the caller's local
      });
      co_return 7;
    });
    co_return got * 100 + a + b;
  }());
  EXPECT_EQ(r, 723);
}

task<void> fib_into(int n, long& out) {
  if (n < 2) {
    out = n;
    co_return;
  }
  long x = 0, y = 0;
  co_await kyoto::scope([&](scope_handle& s) -> task<void> {
    s.spawn(fib_into(n - 1, x));
    s.spawn(fib_into(n - 2, y));
    co_return;
  });
  out = x + y;
}

TEST_P(RtScope, NestedScopesForkAndJoin) {
  auto rt = make();
  long f = 0;
  rt.block_on([](long& out) -> task<void> { co_await fib_into(20, out); }(f));
  EXPECT_EQ(f, 6765);
}

task<void> spawn_tree(scope_handle& s, int depth, std::atomic<int>& leaves) {
  if (depth == 0) {
    ++leaves;
    co_return;
  }
  s.spawn(spawn_tree(s, depth - 1, leaves));
  s.spawn(spawn_tree(s, depth - 1, leaves));
  co_return;
}

TEST_P(RtScope, ChildrenSpawnSiblingsThroughTheHandle) {
  auto rt = make();
  std::atomic<int> leaves{0};
  rt.block_on([](std::atomic<int>& l) -> task<void> {
    co_await kyoto::scope([&](scope_handle& s) -> task<void> {
      s.spawn(spawn_tree(s, 8, l));
      co_return;
    });
    EXPECT_EQ(l.load(), 256);  // all of them, before the scope ended
  }(leaves));
}

task<void> sleep_holding(drop_token token) {
  co_await kyoto::sleep(1h);
  (void)token;
}

task<void> fail_after(std::chrono::milliseconds d) {
  co_await kyoto::sleep(d);
  throw std::runtime_error("child failed");
}

TEST_P(RtScope, AChildsExceptionCancelsTheOthersAndReachesTheAwaiterAfterThem) {
  auto rt = make();
  std::atomic<int> dropped{0};
  rt.block_on([](std::atomic<int>& d) -> task<void> {
    bool caught = false;
    try {
      co_await kyoto::scope([&](scope_handle& s) -> task<void> {
        for (int i = 0; i < 8; ++i) s.spawn(sleep_holding(drop_token(d)));
        s.spawn(fail_after(5ms));
        for (int i = 0; i < 8; ++i) s.spawn(sleep_holding(drop_token(d)));
        co_return;
      });
    } catch (const std::runtime_error& e) {
      caught = true;
      EXPECT_STREQ(e.what(), "child failed");
      EXPECT_EQ(d.load(), 16) << "every sibling is gone before the awaiter sees the error";
    }
    EXPECT_TRUE(caught);
  }(dropped));
}

TEST_P(RtScope, ABodysExceptionCancelsTheChildren) {
  auto rt = make();
  std::atomic<int> dropped{0};
  rt.block_on([](std::atomic<int>& d) -> task<void> {
    bool caught = false;
    try {
      co_await kyoto::scope([&](scope_handle& s) -> task<void> {
        for (int i = 0; i < 10; ++i) s.spawn(sleep_holding(drop_token(d)));
        co_await yield_now();
        throw std::logic_error("body failed");
      });
    } catch (const std::logic_error&) {
      caught = true;
      EXPECT_EQ(d.load(), 10);
    }
    EXPECT_TRUE(caught);
  }(dropped));
}

// A child that another worker keeps busy (it never suspends for a while)
// and children that sleep: dropping the scope waits for the busy one's
// poll to end and cancels the sleepers on the spot.
task<void> busy_then_sleep(std::atomic<bool>& started, std::atomic<int>& after, int& borrowed) {
  started = true;
  auto end = std::chrono::steady_clock::now() + 30ms;
  while (std::chrono::steady_clock::now() < end) {
  }
  ++borrowed;  // the caller's local: still alive, the scope waits for us
  co_await kyoto::sleep(1h);
  ++after;  // never: cancelled at the sleep
}

TEST_P(RtScope, DroppingAPendingScopeCancelsEveryChildBeforeTheDestructorReturns) {
  auto rt = make();
  std::atomic<int> dropped{0};
  std::atomic<int> after{0};
  std::atomic<bool> started{false};
  auto parent =
      rt.spawn([](std::atomic<int>& d, std::atomic<int>& a, std::atomic<bool>& st) -> task<void> {
        int borrowed = 0;
        co_await kyoto::scope([&](scope_handle& s) -> task<void> {
          for (int i = 0; i < 20; ++i) s.spawn(sleep_holding(drop_token(d)));
          s.spawn(busy_then_sleep(st, a, borrowed));
          co_await kyoto::sleep(1h);
        });
      }(dropped, after, started));
  rt.block_on([](std::atomic<bool>& st) -> task<void> {
    while (!st.load()) co_await kyoto::sleep(1ms);
  }(started));
  parent.abort();
  auto r = rt.block_on(std::move(parent));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_cancelled());
  EXPECT_EQ(dropped.load(), 20);
  EXPECT_EQ(after.load(), 0);
}

TEST_P(RtScope, ATimeoutAroundAScopeCancelsItsChildren) {
  auto rt = make();
  std::atomic<int> dropped{0};
  rt.block_on([](std::atomic<int>& d) -> task<void> {
    auto r = co_await kyoto::timeout(10ms, kyoto::scope([&](scope_handle& s) -> task<void> {
                                       for (int i = 0; i < 5; ++i)
                                         s.spawn(sleep_holding(drop_token(d)));
                                       co_return;
                                     }));
    EXPECT_FALSE(r);
    EXPECT_EQ(d.load(), 5);
  }(dropped));
}

TEST_P(RtScope, AnEmptyScopeIsReadyAtOnce) {
  auto rt = make();
  int v = rt.block_on([]() -> task<int> {
    co_return co_await kyoto::scope([](scope_handle&) -> task<int> { co_return 42; });
  }());
  EXPECT_EQ(v, 42);
}

}  // namespace
