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

// The shape of a program's main: int main() { return kyoto::run(async_main()); }
// The main task runs on a multi-thread runtime with time enabled: it can
// spawn, sleep and find its runtime.
task<int> async_main() {
  auto h = kyoto::spawn(add_after_yield(3, 4));
  co_await kyoto::sleep(std::chrono::milliseconds(2));
  auto sum = co_await runtime::handle::current().spawn(add_after_yield(10, 20));
  co_return (co_await h).value() + sum.value();
}

std::atomic<int> void_main_steps{0};

task<void> async_void_main() {
  co_await kyoto::sleep(std::chrono::milliseconds(2));
  void_main_steps += (co_await kyoto::spawn(add_after_yield(1, 1))).value();
}

TEST(RtRun, KyotoRunStyleMain) {
  EXPECT_EQ(kyoto::run(async_main()), 37);
  void_main_steps = 0;
  EXPECT_EQ(kyoto::run(async_void_main()), 0);
  EXPECT_EQ(void_main_steps.load(), 2);  // the void main ran to its end before run returned
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
