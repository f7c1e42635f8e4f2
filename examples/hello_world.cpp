// The smallest kyoto program: kyoto::run starts a multi-thread runtime;
// a spawned task waits for a notification while the main task sleeps.
#include <chrono>
#include <cstdio>
#include <kyoto/kyoto.hpp>

using namespace std::chrono_literals;

kyoto::task<> print_world(kyoto::notify& hello_printed) {
  co_await hello_printed.notified();
  std::fputs("world!\n", stdout);
}

kyoto::task<int> async_main() {
  kyoto::notify hello_printed;
  auto world = kyoto::spawn(print_world(hello_printed));
  co_await kyoto::sleep(10ms);
  std::fputs("Hello, ", stdout);
  std::fflush(stdout);
  hello_printed.notify_one();
  (co_await world).value();  // rethrows if the task threw
  co_return 0;
}

int main() { return kyoto::run(async_main()); }
