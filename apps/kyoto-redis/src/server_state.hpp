// What every connection shares: the options, the keyspace, pub/sub, the
// counters INFO reports and the token that SHUTDOWN cancels.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "kyoto/kyoto.hpp"
#include "options.hpp"
#include "pubsub.hpp"
#include "store.hpp"

namespace kyoto_redis {

struct server_state {
  explicit server_state(options o) : opts(std::move(o)) {}

  options opts;
  store db;
  pubsub_registry pubsub;
  kyoto::cancellation_token stop;  // cancelled by a signal or SHUTDOWN
  std::int64_t started_at_ms = now_ms();
  std::uint16_t bound_port = 0;  // the port actually bound (--port 0 picks one)
  std::size_t worker_threads = 1;

  // Counters (relaxed: statistics only).
  std::atomic<std::int64_t> connected_clients{0};
  std::atomic<std::int64_t> total_connections{0};
  std::atomic<std::int64_t> rejected_connections{0};
  std::atomic<std::int64_t> total_commands{0};
  std::atomic<std::int64_t> expired_keys{0};
  std::atomic<std::int64_t> pubsub_clients{0};
  std::atomic<std::uint64_t> next_client_id{1};
};

// One connection's state, as commands see it.
struct client_state {
  std::uint64_t id = 0;
  std::string name;
  std::string addr;
  // Pub/sub: set on the first (P)SUBSCRIBE.
  std::shared_ptr<subscriber> sub;
  string_set channels;
  string_set patterns;
  bool close_after_reply = false;  // QUIT, protocol errors

  bool subscribed() const { return !channels.empty() || !patterns.empty(); }
};

}  // namespace kyoto_redis
