// kyoto-redis: a Redis-compatible in-memory server (see README.md).
//   kyoto-redis [--port 6379] [--bind 127.0.0.1] [--threads N] ... (--help)
#include <string>
#include <vector>

#include "options.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = 0;
  auto opts = kyoto_redis::parse_options(args, code);
  if (!opts) return code;
  return kyoto_redis::run_server(*opts);
}
