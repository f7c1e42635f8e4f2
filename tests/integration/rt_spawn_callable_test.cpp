#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

// spawn(callable, args...) keeps the callable and the arguments alive in
// the task: captures and reference parameters are read after suspensions
// (a dangling read is a use-after-free under the asan preset).

class RtSpawnCallable : public every_flavor {};
KYOTO_EVERY_FLAVOR(RtSpawnCallable);

TEST_P(RtSpawnCallable, CapturesOfACoroutineLambdaOutliveSuspensions) {
  auto rt = make();
  std::string got = rt.block_on([]() -> task<std::string> {
    auto h = kyoto::spawn(
        [s = std::string(40, 'x'), p = std::make_unique<int>(7)]() -> task<std::string> {
          co_await yield_now();
          co_await kyoto::sleep(1ms);
          co_await yield_now();
          co_return s + std::to_string(*p);
        });
    co_return (co_await h).value();
  }());
  EXPECT_EQ(got, std::string(40, 'x') + "7");
}

task<int> length_plus(const std::string& s, std::unique_ptr<int> p) {
  co_await kyoto::sleep(1ms);
  co_await yield_now();
  co_return static_cast<int>(s.size()) + *p;
}

TEST_P(RtSpawnCallable, ArgumentsAreKeptAliveForReferenceParameters) {
  auto rt = make();
  int v = rt.block_on([]() -> task<int> {
    auto h = kyoto::spawn(&length_plus, std::string(30, 'y'), std::make_unique<int>(12));
    co_return (co_await h).value();
  }());
  EXPECT_EQ(v, 42);
}

TEST_P(RtSpawnCallable, AMoveOnlyMutableLambdaAndAVoidTask) {
  auto rt = make();
  auto [tx, rx] = mpsc::unbounded_channel<std::string>();
  int n = rt.block_on([](mpsc::receiver<std::string> r, mpsc::sender<std::string> t) -> task<int> {
    kyoto::spawn([t = std::move(t), word = std::string(25, 'w')]() mutable -> task<> {
      for (int i = 0; i < 3; ++i) {
        co_await yield_now();
        (void)co_await t.send(word);
      }
    });  // detached; the sender closes the channel when the task ends
    int count = 0;
    while (auto w = co_await r.recv()) {
      EXPECT_EQ(*w, std::string(25, 'w'));
      ++count;
    }
    co_return count;
  }(std::move(rx), std::move(tx)));
  EXPECT_EQ(n, 3);
}

TEST_P(RtSpawnCallable, RuntimeAndHandleSpawnTakeCallables) {
  auto rt = make();
  auto a = rt.spawn([s = std::string(33, 'a')]() -> task<std::size_t> {
    co_await kyoto::sleep(1ms);
    co_return s.size();
  });
  auto h = rt.handle();
  auto b = h.spawn(
      [](const std::string& s, int k) -> task<std::size_t> {
        co_await yield_now();
        co_return s.size() * static_cast<std::size_t>(k);
      },
      std::string(10, 'b'), 2);
  EXPECT_EQ(rt.block_on(std::move(a)).value(), 33u);
  EXPECT_EQ(rt.block_on(std::move(b)).value(), 20u);
}

TEST_P(RtSpawnCallable, JoinSetSpawnTakesCallables) {
  auto rt = make();
  std::size_t total = rt.block_on([]() -> task<std::size_t> {
    join_set<std::size_t> set;
    for (int i = 1; i <= 3; ++i) {
      set.spawn([s = std::string(static_cast<std::size_t>(i) * 20, 'j')]() -> task<std::size_t> {
        co_await kyoto::sleep(1ms);
        co_return s.size();
      });
    }
    set.spawn(
        [](std::unique_ptr<std::size_t> p) -> task<std::size_t> {
          co_await yield_now();
          co_return *p;
        },
        std::make_unique<std::size_t>(5));
    std::size_t sum = 0;
    while (auto r = co_await set.join_next()) sum += r->value();
    co_return sum;
  }());
  EXPECT_EQ(total, 20u + 40u + 60u + 5u);
}

TEST_P(RtSpawnCallable, TheCallableIsDestroyedWhenTheTaskEndsOrIsCancelled) {
  std::atomic<int> drops{0};
  auto s = std::make_shared<manual_state>();
  {
    auto rt = make();
    auto done = rt.spawn([t = drop_token(drops)]() -> task<> { co_await yield_now(); });
    (void)rt.block_on(std::move(done));
    EXPECT_EQ(drops.load(), 1);
    rt.spawn([t = drop_token(drops), s]() -> task<> { co_await manual_future(s); });
    rt.block_on(yield_now());
    EXPECT_EQ(drops.load(), 1);
  }  // the runtime cancels the pending task: its frame, and the lambda in it, go
  EXPECT_EQ(drops.load(), 2);
}

// A future that is also callable is spawned as a future.
struct callable_future {
  using output_type = int;
  poll_result<int> poll(context&) { return 1; }
  task<int> operator()() const { co_return 2; }
};

TEST_P(RtSpawnCallable, AFutureThatIsAlsoCallableIsSpawnedAsAFuture) {
  static_assert(future<callable_future> && std::is_invocable_v<callable_future>);
  auto rt = make();
  EXPECT_EQ(rt.block_on(rt.spawn(callable_future{})).value(), 1);
}

}  // namespace
