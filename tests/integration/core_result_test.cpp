#include <gtest/gtest.h>

#include <string>

#include "kyoto/core.hpp"

using namespace kyoto;

TEST(Result, HoldsValueOrError) {
  result<int, std::string> ok = 3;
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 3);
  result<int, std::string> bad = err(std::string("nope"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), "nope");
  EXPECT_THROW((void)bad.value(), bad_result_access);
  EXPECT_EQ(bad.value_or(9), 9);
}

TEST(Result, ErrorCodeValueThrowsSystemError) {
  io::result<int> r = err(std::make_error_code(std::errc::connection_refused));
  try {
    (void)r.value();
    FAIL() << "value() on an error must throw";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_refused);
  }
}

TEST(Result, VoidResult) {
  io::result<void> ok;
  EXPECT_TRUE(ok);
  io::result<void> bad = err(std::make_error_code(std::errc::timed_out));
  EXPECT_FALSE(bad);
  EXPECT_THROW(bad.value(), std::system_error);
}

TEST(Result, SameValueAndErrorType) {
  result<int, int> v = 1;
  result<int, int> e = err(2);
  EXPECT_TRUE(v.has_value());
  EXPECT_FALSE(e.has_value());
  EXPECT_EQ(e.error(), 2);
}
