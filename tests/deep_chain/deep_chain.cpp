// A million synchronous awaits in a loop, and a chain 100,000 tasks deep:
// with symmetric transfer that is not a tail call they overflow an 8 MiB
// stack, so this passes only if config.hpp chose the trampoline wherever
// the compiler does not make the call a tail call. Built at -O1, -Og and
// -O1 with AddressSanitizer by tests/deep_chain/CMakeLists.txt.
#include <cstdio>

#include "kyoto/core.hpp"

namespace {

kyoto::task<int> leaf() { co_return 1; }

kyoto::task<long> loop(int n) {
  long sum = 0;
  for (int i = 0; i < n; ++i) sum += co_await leaf();
  co_return sum;
}

kyoto::task<int> nested(int depth) {
  if (depth == 0) co_return 0;
  co_return 1 + co_await nested(depth - 1);
}

}  // namespace

int main() {
  long sum = kyoto::block_on(loop(1'000'000));
  int depth = kyoto::block_on(nested(100'000));
  if (sum != 1'000'000 || depth != 100'000) {
    std::printf("deep_chain: wrong results %ld %d\n", sum, depth);
    return 1;
  }
  return 0;
}
