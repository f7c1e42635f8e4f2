#include <kyoto/kyoto.hpp>

kyoto::task<int> answer() {
  co_await kyoto::yield_now();
  co_return 42;
}

int main() { return kyoto::block_on(answer()) == 42 ? 0 : 1; }
