#include <gtest/gtest.h>

#include <charconv>
#include <string>
#include <string_view>

#include "kyoto/core.hpp"

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

}  // namespace
