// W12 resp: kyoto-redis itself (apps/kyoto-redis) on 127.0.0.1:<port>,
// one worker per CPU, driven by redis-benchmark (bench/run).
// Usage: kyoto_resp <port>
#include <cstdio>
#include <cstdlib>

#include "options.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
  int port = argc > 1 ? std::atoi(argv[1]) : 0;
  if (port <= 0 || port > 65535) {
    std::fprintf(stderr, "usage: kyoto_resp <port>\n");
    return 2;
  }
  kyoto_redis::options opts;
  opts.port = static_cast<std::uint16_t>(port);
  opts.quiet = true;
  return kyoto_redis::run_server(opts);
}
