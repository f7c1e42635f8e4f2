// Redis's glob patterns, as KEYS and PSUBSCRIBE match them.
#include "glob.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using kyoto_redis::glob_match;

TEST(Glob, StarAndQuestionMark) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_FALSE(glob_match("h?llo", "hllo"));
  EXPECT_TRUE(glob_match("h*llo", "hllo"));
  EXPECT_TRUE(glob_match("h*llo", "heeeello"));
  EXPECT_FALSE(glob_match("h*llo", "hellox"));
  EXPECT_TRUE(glob_match("**o", "hello"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbZZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYYbZZ"));
}

TEST(Glob, Classes) {
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-c]llo", "hbllo"));
  EXPECT_TRUE(glob_match("h[c-a]llo", "hbllo"));  // a reversed range still matches
  EXPECT_FALSE(glob_match("h[a-c]llo", "hdllo"));
  EXPECT_TRUE(glob_match("h[\\]]llo", "h]llo"));
  EXPECT_TRUE(glob_match("x[ab", "xa"));  // a class open at the end closes there
}

TEST(Glob, Escapes) {
  EXPECT_TRUE(glob_match("h\\*llo", "h*llo"));
  EXPECT_FALSE(glob_match("h\\*llo", "hello"));
  EXPECT_TRUE(glob_match("\\?", "?"));
  EXPECT_FALSE(glob_match("\\?", "a"));
}

TEST(Glob, BinarySafeAndLinearOnManyStars) {
  EXPECT_TRUE(glob_match(std::string("a\0*", 3), std::string("a\0zz", 4)));
  std::string pattern(30, '*');
  pattern += "b";
  EXPECT_FALSE(glob_match(pattern, std::string(10000, 'a')));  // returns at once, no blow-up
}

}  // namespace
