// block_on blocks its thread; co_await lets other tasks run.
//
// One current-thread runtime (a single thread runs every task) and a
// ticker task that counts ticks every 20 ms. The main task waits twice for
// the same thing, a value another OS thread sends after 300 ms:
//   - kyoto::block_on(rx) parks the runtime's only thread until the value
//     arrives, so the ticker cannot run: it misses every tick;
//   - co_await rx suspends only the main task, so the ticker goes on.
// Inside a task, always co_await; block_on is for code outside any task.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <kyoto/kyoto.hpp>
#include <thread>
#include <utility>

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

std::atomic<int> ticks{0};

kyoto::task<> ticker() {
  kyoto::interval every(20ms);
  every.set_missed_tick_behavior(kyoto::missed_tick_behavior::skip);
  for (;;) {
    co_await every.tick();
    ticks.fetch_add(1, std::memory_order_relaxed);
  }
}

// A receiver whose value a separate OS thread sends after `delay`.
struct delayed_value {
  kyoto::oneshot::receiver<int> rx;
  std::thread sender;
  explicit delayed_value(std::chrono::milliseconds delay)
      : delayed_value(delay, kyoto::oneshot::channel<int>()) {}
  delayed_value(std::chrono::milliseconds delay,
                std::pair<kyoto::oneshot::sender<int>, kyoto::oneshot::receiver<int>> ch)
      : rx(std::move(ch.second)),
        sender(
            [delay](kyoto::oneshot::sender<int> out) {
              std::this_thread::sleep_for(delay);
              (void)out.send(42);
            },
            std::move(ch.first)) {}
  delayed_value(const delayed_value&) = delete;
  ~delayed_value() { sender.join(); }
};

long long ms_since(clock_type::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0).count();
}

kyoto::task<int> demo() {
  auto tick_task = kyoto::spawn(ticker());
  co_await kyoto::sleep(60ms);  // the ticker is running
  std::printf("a ticker task ticks every 20 ms on the runtime's only thread\n");

  {
    delayed_value v(300ms);
    int before = ticks.load();
    auto t0 = clock_type::now();
    auto got = kyoto::block_on(v.rx);  // parks this thread: no task runs
    int during = ticks.load() - before;
    std::printf("block_on: got %d after %lld ms; the ticker ticked %d times meanwhile\n",
                got.value(), ms_since(t0), during);
  }
  co_await kyoto::sleep(60ms);  // let the ticker catch up (missed ticks are skipped)

  {
    delayed_value v(300ms);
    int before = ticks.load();
    auto t0 = clock_type::now();
    auto got = co_await v.rx;  // suspends this task only
    int during = ticks.load() - before;
    std::printf("co_await: got %d after %lld ms; the ticker ticked %d times meanwhile\n",
                got.value(), ms_since(t0), during);
  }
  tick_task.abort();
  co_return 0;
}

}  // namespace

int main() {
  auto rt = kyoto::runtime::builder::current_thread().enable_all().build();
  return rt.block_on(demo());
}
