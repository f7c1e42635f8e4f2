#include <gtest/gtest.h>

#include <optional>
#include <type_traits>

#include "kyoto/kyoto.hpp"

using namespace kyoto;

namespace {

// Every spelling of runtime::handle that C++ allows next to the member
// function rt.handle() (see the comment on runtime::handle).
static_assert(std::is_same_v<decltype(std::declval<kyoto::runtime&>().handle()),
                             class kyoto::runtime::handle>);
static_assert(std::is_same_v<kyoto::runtime_handle, class kyoto::runtime::handle>);
static_assert(std::is_same_v<decltype(kyoto::runtime::handle::current()), kyoto::runtime_handle>);
static_assert(std::is_copy_constructible_v<kyoto::runtime_handle>);

task<int> one() { co_return 1; }

TEST(RtHandle, EverySpellingThatCompilesNamesTheSameHandle) {
  auto rt = kyoto::runtime::builder::current_thread().build();
  class kyoto::runtime::handle elaborated = rt.handle();
  kyoto::runtime_handle alias = rt.handle();
  auto deduced = rt.handle();
  std::optional<kyoto::runtime_handle> later;
  later.emplace(deduced);
  EXPECT_EQ(elaborated.block_on(one()), 1);
  EXPECT_EQ(alias.block_on(one()), 1);
  EXPECT_EQ(later->block_on(one()), 1);
  int v = rt.block_on([]() -> task<int> {
    auto h = kyoto::runtime::handle::current();
    co_return (co_await h.spawn(one())).value() + 1;
  }());
  EXPECT_EQ(v, 2);
}

}  // namespace
