#include <gtest/gtest.h>

#include <atomic>
#include <charconv>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "kyoto/core.hpp"
#include "test_futures.hpp"

using namespace kyoto;

namespace {

result<int, std::string> parse(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return err("not a number: " + std::string(s));
  return v;
}

task<result<int, std::string>> sum(std::string_view a, std::string_view b, int& reached) {
  int x = co_await try_(parse(a));
  reached = 1;
  int y = co_await try_(parse(b));
  reached = 2;
  co_return x + y;
}

TEST(Try, UnwrapsValues) {
  int reached = 0;
  auto r = block_on(sum("2", "40", reached));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(reached, 2);
}

TEST(Try, ReturnsTheErrorAtOnce) {
  int reached = 0;
  auto r = block_on(sum("2", "x", reached));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "not a number: x");
  EXPECT_EQ(reached, 1);
}

struct local_guard {
  int* drops;
  explicit local_guard(int& d) : drops(&d) {}
  ~local_guard() { ++*drops; }
};

task<result<int, std::string>> inner(int& drops) {
  local_guard g(drops);
  int v = co_await try_(parse("nope"));
  co_return v;
}

task<result<int, std::string>> outer(int& drops) {
  int v = co_await try_(co_await inner(drops));
  co_return v + 1;
}

TEST(Try, PropagatesThroughNestedTasksAndDestroysLocals) {
  int drops = 0;
  auto r = block_on(outer(drops));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "not a number: nope");
  EXPECT_EQ(drops, 1);
}

task<io::result<void>> io_steps(bool fail) {
  io::result<void> step =
      fail ? io::result<void>(err(std::make_error_code(std::errc::io_error))) : io::result<void>();
  co_await try_(step);
  co_return io::result<void>();
}

TEST(Try, VoidResults) {
  EXPECT_TRUE(block_on(io_steps(false)));
  auto r = block_on(io_steps(true));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::io_error);
}

// try_ given a future: one co_await instead of try_(co_await f).

task<result<int, std::string>> parse_later(std::string s) {
  co_await yield_now();
  co_return parse(s);
}

task<result<int, std::string>> add_one_to(std::string s, int& reached) {
  int v = co_await try_(parse_later(std::move(s)));
  reached = 1;
  co_return v + 1;
}

TEST(TryFuture, TaskWithKyotoResultValuePath) {
  int reached = 0;
  auto r = block_on(add_one_to("41", reached));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(reached, 1);
}

TEST(TryFuture, TaskWithKyotoResultErrorPathReturnsAtOnce) {
  int reached = 0;
  auto r = block_on(add_one_to("x", reached));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "not a number: x");
  EXPECT_EQ(reached, 0);
}

task<io::result<std::unique_ptr<int>>> open_thing(bool fail) {
  if (fail) co_return err(std::make_error_code(std::errc::no_such_file_or_directory));
  co_return std::make_unique<int>(7);
}

task<io::result<int>> read_thing(bool fail, int& reached) {
  std::unique_ptr<int> p = co_await try_(open_thing(fail));
  reached = 1;
  co_return *p * 6;
}

TEST(TryFuture, TaskWithIoResultValuePath) {
  int reached = 0;
  auto r = block_on(read_thing(false, reached));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(reached, 1);
}

TEST(TryFuture, TaskWithIoResultErrorPath) {
  int reached = 0;
  auto r = block_on(read_thing(true, reached));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::no_such_file_or_directory);
  EXPECT_EQ(reached, 0);
}

// A hand-written future (not a task) that is pending on its first poll
// and then ready with the result it was given.
struct later_result {
  using output_type = io::result<int>;
  explicit later_result(io::result<int> r) : r_(std::move(r)) {}
  poll_result<io::result<int>> poll(context& cx) {
    if (!polled_) {
      polled_ = true;
      cx.waker().wake_by_ref();
      return pending;
    }
    return std::move(r_);
  }
  io::result<int> r_;
  bool polled_ = false;
};
static_assert(future<later_result>);

task<io::result<int>> double_it(io::result<int> in, int& reached) {
  int v = co_await try_(later_result(std::move(in)));
  reached = 1;
  co_return v * 2;
}

TEST(TryFuture, HandWrittenFutureValuePath) {
  int reached = 0;
  auto r = block_on(double_it(21, reached));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(reached, 1);
}

TEST(TryFuture, HandWrittenFutureErrorPath) {
  int reached = 0;
  auto r = block_on(double_it(err(std::make_error_code(std::errc::timed_out)), reached));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::timed_out);
  EXPECT_EQ(reached, 0);
}

task<io::result<int>> lvalue_future(later_result& f) {
  int v = co_await try_(f);  // awaited in place, stays the caller's
  co_return v + 1;
}

TEST(TryFuture, AnLvalueFutureIsAwaitedInPlace) {
  later_result f(41);
  auto r = block_on(lvalue_future(f));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
  EXPECT_TRUE(f.polled_);
}

task<io::result<void>> step(bool fail) {
  co_await yield_now();
  if (fail) co_return err(std::make_error_code(std::errc::io_error));
  co_return io::result<void>();
}

task<io::result<int>> steps(bool fail_second, int& reached) {
  co_await try_(step(false));
  reached = 1;
  co_await try_(step(fail_second));
  reached = 2;
  co_return 3;
}

TEST(TryFuture, VoidResults) {
  int reached = 0;
  EXPECT_EQ(block_on(steps(false, reached)).value(), 3);
  EXPECT_EQ(reached, 2);
  auto r = block_on(steps(true, reached = 0));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::io_error);
  EXPECT_EQ(reached, 1);
}

task<result<int, std::string>> throws_inside() {
  co_await yield_now();
  throw std::runtime_error("boom");
}

task<result<int, std::string>> awaits_a_thrower() {
  int v = co_await try_(throws_inside());
  co_return v;
}

TEST(TryFuture, AnExceptionPropagatesLikeAnyAwait) {
  EXPECT_THROW((void)block_on(awaits_a_thrower()), std::runtime_error);
}

task<result<int, std::string>> inner_future_form(int& drops) {
  local_guard g(drops);
  int v = co_await try_(parse_later("nope"));
  co_return v;
}

task<result<int, std::string>> outer_future_form(int& drops) {
  local_guard g(drops);
  int v = co_await try_(inner_future_form(drops));
  co_return v + 1;
}

TEST(TryFuture, PropagatesThroughNestedTasksAndDestroysLocals) {
  int drops = 0;
  auto r = block_on(outer_future_form(drops));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "not a number: nope");
  EXPECT_EQ(drops, 2);
}

task<result<int, std::string>> deep(int n) {
  if (n == 0) co_return 0;
  int v = co_await try_(deep(n - 1));
  co_return v + 1;
}

TEST(TryFuture, ManyNestedLevels) {
  auto r = block_on(deep(1000));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 1000);
}

TEST(TryFuture, DroppingTheOuterTaskWhilePendingDestroysTheRelay) {
  std::atomic<int> drops{0};
  auto s = std::make_shared<test::manual_state>();
  auto waits = [](test::drop_token t,
                  std::shared_ptr<test::manual_state> st) -> task<result<int, std::string>> {
    co_await test::manual_future(st);
    (void)t;
    co_return 1;
  };
  auto outer = [](task<result<int, std::string>> in) -> task<result<int, std::string>> {
    int v = co_await try_(std::move(in));
    co_return v;
  }(waits(test::drop_token(drops), s));
  test::counting_waker_state ws;
  waker w = test::make_counting_waker(ws);
  context cx(w);
  EXPECT_TRUE(outer.poll(cx).is_pending());
  { auto gone = std::move(outer); }
  EXPECT_EQ(drops.load(), 1);
}

}  // namespace
