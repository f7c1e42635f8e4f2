// The smallest kyoto program: kyoto::run starts a multi-thread runtime and
// runs async_main on it; the sleep suspends the task (the thread is free
// for other tasks meanwhile) and resumes it one second later.
#include <chrono>
#include <cstdio>
#include <kyoto/kyoto.hpp>

using namespace std::chrono_literals;

kyoto::task<int> async_main() {
  std::fputs("Hello, ", stdout);
  std::fflush(stdout);
  co_await kyoto::sleep(1s);
  std::fputs("World!\n", stdout);
  co_return 0;
}

int main() { return kyoto::run(async_main()); }
