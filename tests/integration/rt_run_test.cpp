#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "rt_spawn_fixture.hpp"
#include "runtime_flavors.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

TEST_P(RtSpawn, KyotoRunStyleMain) {
  auto rt = make();
  EXPECT_EQ(rt.block_on([]() -> task<int> { co_return co_await add_after_yield(3, 4); }()), 7);
}

TEST(RtRun, RunReturnsTheMainTasksValue) {
  EXPECT_EQ(kyoto::run([]() -> task<int> {
              co_return (co_await kyoto::spawn(add_after_yield(1, 2))).value();
            }()),
            3);
  EXPECT_EQ(kyoto::run([]() -> task<void> { co_return; }()), 0);
  EXPECT_EQ(kyoto::run([]() -> task<int> {
              throw std::runtime_error("main failed");
              co_return 0;
            }()),
            1);
}

}  // namespace
