// The smallest kyoto program: two tasks take turns on one thread.
#include <cstdio>
#include <kyoto/kyoto.hpp>

kyoto::task<> say(const char* word, int turns_to_wait) {
  for (int i = 0; i < turns_to_wait; ++i) co_await kyoto::yield_now();
  std::fputs(word, stdout);
}

kyoto::task<> hello() {
  // "world!" is started first but waits two turns; "Hello, " only one.
  co_await kyoto::join(say("world!\n", 2), say("Hello, ", 1));
}

int main() { kyoto::block_on(hello()); }
