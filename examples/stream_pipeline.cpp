// The README's stream snippet: an async generator that sleeps and yields,
// filtered and collected. Prints the even ticks.
#include <chrono>
#include <cstdio>
#include <kyoto/kyoto.hpp>
#include <vector>

using namespace std::chrono_literals;

kyoto::async_generator<int> ticks(int n) {
  for (int i = 0; i < n; ++i) {
    co_await kyoto::sleep(10ms);
    co_yield i;
  }
}

kyoto::task<int> async_main() {
  auto evens = kyoto::filter(ticks(10), [](const int& i) { return i % 2 == 0; });
  std::vector<int> all = co_await kyoto::collect(std::move(evens));
  for (int v : all) std::printf("%d ", v);
  std::printf("\n");
  co_return all.size() == 5 ? 0 : 1;
}

int main() { return kyoto::run(async_main()); }
