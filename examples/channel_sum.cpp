// The README's "runtime in ten lines": a producer task, a bounded channel,
// a timeout around each receive. Exit status 0 when the sum is right.
#include <kyoto/kyoto.hpp>
using namespace std::chrono_literals;

kyoto::task<int> async_main() {
  auto [tx, rx] = kyoto::mpsc::channel<int>(64);
  auto producer = kyoto::spawn([](kyoto::mpsc::sender<int> out) -> kyoto::task<> {
    for (int i = 0; i < 10; ++i) co_await out.send(i);
  }(std::move(tx)));
  int sum = 0;
  while (auto v = co_await kyoto::timeout(1s, rx.recv())) {  // result<optional<int>, elapsed>
    if (!*v) break;                                          // all senders gone
    sum += **v;
  }
  co_return sum == 45 ? 0 : 1;
}

int main() { return kyoto::run(async_main()); }
