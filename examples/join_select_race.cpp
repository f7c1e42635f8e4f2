// The three combinators on one thread: join waits for all, select for the
// first (and cancels the rest), race for the first of one output type.
#include <cstdio>
#include <kyoto/kyoto.hpp>
#include <string>

// A stand-in for work that takes `turns` scheduler turns.
kyoto::task<int> work(const char* name, int turns, int value) {
  for (int i = 0; i < turns; ++i) co_await kyoto::yield_now();
  std::printf("  %s finished after %d turns\n", name, turns);
  co_return value;
}

struct announce_cancel {
  const char* name;
  explicit announce_cancel(const char* n) : name(n) {}
  ~announce_cancel() { std::printf("  %s dropped\n", name); }
};

kyoto::task<std::string> slow_text() {
  announce_cancel guard("slow_text");
  for (int i = 0; i < 100; ++i) co_await kyoto::yield_now();
  co_return "slow";
}

kyoto::task<> demo() {
  std::puts("join:");
  auto [a, b] = co_await kyoto::join(work("a", 3, 1), work("b", 1, 2));
  std::printf("  a + b = %d\n", a + b);

  std::puts("select:");
  auto winner = co_await kyoto::select(slow_text(), work("fast", 2, 7));
  std::printf("  branch %zu won with %d\n", winner.index(), std::get<1>(winner));

  std::puts("race:");
  int first = co_await kyoto::race(work("x", 4, 40), work("y", 2, 20));
  std::printf("  first value: %d\n", first);
}

int main() { kyoto::block_on(demo()); }
