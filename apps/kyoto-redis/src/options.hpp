// kyoto-redis's command-line options.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kyoto_redis {

struct options {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 6379;
  std::size_t maxclients = 10000;
  std::size_t threads = 0;  // workers; 0 = one per CPU
  std::int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  // Queued pub/sub messages (bytes) a subscriber may have before it is
  // disconnected: Redis's `client-output-buffer-limit pubsub` hard limit.
  std::size_t output_buffer_limit = 32 * 1024 * 1024;
  // Unparsed input a client may have pending (Redis's client-query-buffer-limit).
  std::size_t query_buffer_limit = 1024 * 1024 * 1024;
  bool quiet = false;  // only the "ready" line on stdout
};

// Parses argv; on --help or a bad option returns nullopt after writing
// the usage (to stdout) or the error (to stderr) and setting exit_code.
std::optional<options> parse_options(const std::vector<std::string>& args, int& exit_code);

// "1024", "64kb", "512mb", "1gb" (as redis.conf's sizes).
std::optional<std::int64_t> parse_size(const std::string& s);

}  // namespace kyoto_redis
