// A TCP port scanner for 127.0.0.1: one task per port, at most `limit`
// connects in flight (a semaphore), each given up after a timeout.
//   port_scan FIRST LAST [limit=64] [timeout_ms=500]
// Only 127.0.0.1 is scanned: this is an example, not a tool for other
// people's machines.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <kyoto/kyoto.hpp>
#include <memory>
#include <string>
#include <vector>

using clock_type = std::chrono::steady_clock;

namespace {

enum class port_state { open, closed, timed_out };

struct probe {
  std::uint16_t port;
  port_state state;
  probe(std::uint16_t p, port_state s) : port(p), state(s) {}
};

kyoto::task<probe> scan_one(std::uint16_t port, std::shared_ptr<kyoto::semaphore> limit,
                            std::chrono::milliseconds wait) {
  auto permit = co_await limit->acquire();  // held until this task returns
  if (!permit) co_return probe(port, port_state::closed);
  auto addr = kyoto::net::socket_addr::v4({127, 0, 0, 1}, port);
  auto conn = co_await kyoto::timeout(wait, kyoto::net::tcp_stream::connect(addr));
  if (!conn) co_return probe(port, port_state::timed_out);  // the connect was dropped
  co_return probe(port, *conn ? port_state::open : port_state::closed);
}

long parse(const char* s, long lo, long hi) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  return (end && *end == '\0' && v >= lo && v <= hi) ? v : -1;
}

kyoto::task<int> async_main(std::uint16_t first, std::uint16_t last, std::size_t limit,
                            std::chrono::milliseconds wait) {
  auto sem = std::make_shared<kyoto::semaphore>(limit);
  kyoto::join_set<probe> probes;
  auto t0 = clock_type::now();
  for (std::uint32_t p = first; p <= last; ++p) {
    probes.spawn(scan_one(static_cast<std::uint16_t>(p), sem, wait));
  }
  std::vector<std::uint16_t> open;
  std::size_t closed = 0, timed_out = 0;
  while (auto r = co_await probes.join_next()) {
    const probe& pr = r->value();
    if (pr.state == port_state::open) open.push_back(pr.port);
    if (pr.state == port_state::closed) ++closed;
    if (pr.state == port_state::timed_out) ++timed_out;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0).count();
  std::sort(open.begin(), open.end());
  for (auto p : open) std::printf("127.0.0.1:%u open\n", p);
  std::printf(
      "scanned %u ports in %lld ms: %zu open, %zu closed, %zu timed out "
      "(at most %zu connects at once, timeout %lld ms)\n",
      last - first + 1u, static_cast<long long>(ms), open.size(), closed, timed_out, limit,
      static_cast<long long>(wait.count()));
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  long first = argc > 2 ? parse(argv[1], 1, 65535) : -1;
  long last = argc > 2 ? parse(argv[2], 1, 65535) : -1;
  long limit = argc > 3 ? parse(argv[3], 1, 10000) : 64;
  long wait = argc > 4 ? parse(argv[4], 1, 60000) : 500;
  if (argc > 5 || first < 0 || last < first || limit < 0 || wait < 0) {
    std::fprintf(stderr,
                 "usage: port_scan FIRST LAST [limit 1-10000, default 64] "
                 "[timeout_ms 1-60000, default 500]\n"
                 "  scans 127.0.0.1 ports FIRST..LAST (1-65535)\n");
    return 2;
  }
  return kyoto::run(async_main(static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last),
                               static_cast<std::size_t>(limit), std::chrono::milliseconds(wait)));
}
