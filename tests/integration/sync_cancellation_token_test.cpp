#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "kyoto/kyoto.hpp"

using namespace kyoto;

namespace {

TEST(CancellationToken, CancellingAParentCancelsChildrenNotTheOtherWay) {
  cancellation_token root;
  auto child = root.child_token();
  auto grandchild = child.child_token();
  auto sibling = root.child_token();
  child.cancel();
  EXPECT_TRUE(child.is_cancelled());
  EXPECT_TRUE(grandchild.is_cancelled());
  EXPECT_FALSE(root.is_cancelled());
  EXPECT_FALSE(sibling.is_cancelled());
  root.cancel();
  EXPECT_TRUE(sibling.is_cancelled());
  auto late = root.child_token();
  EXPECT_TRUE(late.is_cancelled());
}

TEST(CancellationToken, CancelledWakesWaitersAcrossThreads) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).enable_time().build();
  cancellation_token root;
  auto child = root.child_token();
  auto h = rt.spawn([](cancellation_token t) -> task<int> {
    auto r = co_await kyoto::select(t.cancelled(), kyoto::sleep(std::chrono::hours(1)));
    co_return static_cast<int>(r.index());
  }(child));
  std::thread([&] { root.cancel(); }).join();
  auto r = rt.block_on(std::move(h));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 0);
}

}  // namespace
