// Pub/sub: who listens to which channel or pattern, and delivery.
//
// Each subscribed connection owns a kyoto unbounded mpsc channel of encoded
// messages; the registry keeps a `subscriber` (the sender side) per
// connection under one std::mutex, held only while the maps are read or
// changed and while PUBLISH enqueues (try_send never waits).
//
// Backlog limit: `queued` counts the bytes sent and not yet taken by the
// connection (publisher adds with fetch_add, the connection subtracts
// after writing them out; relaxed is enough, it is a budget, not a
// synchronisation). A message that would take it past the limit is not
// queued: the subscriber is marked `overflowed` and `overflow_notify` is
// notified (a connection blocked writing to a client that does not read
// waits on it too), and its connection then closes (Redis's pubsub output
// limit).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "store.hpp"

namespace kyoto_redis {

struct subscriber {
  subscriber(kyoto::mpsc::sender<std::string> sender, std::size_t backlog_limit)
      : tx(std::move(sender)), limit(backlog_limit) {}

  // Queues one encoded message; false if the subscriber is over its limit.
  bool deliver(std::string message);

  kyoto::mpsc::sender<std::string> tx;
  std::size_t limit;
  std::atomic<std::size_t> queued{0};
  std::atomic<bool> overflowed{false};
  kyoto::notify overflow_notify;
};

class pubsub_registry {
 public:
  // Each returns whether the subscription is new.
  bool subscribe(std::string_view channel, const std::shared_ptr<subscriber>& s);
  bool unsubscribe(std::string_view channel, const subscriber* s);
  bool psubscribe(std::string_view pattern, const std::shared_ptr<subscriber>& s);
  bool punsubscribe(std::string_view pattern, const subscriber* s);

  // Delivers to channel subscribers and matching patterns; how many received it.
  std::size_t publish(std::string_view channel, std::string_view message);

  std::size_t channel_count();
  std::size_t pattern_count();

 private:
  using list = std::vector<std::shared_ptr<subscriber>>;
  std::mutex mu_;
  string_map<list> channels_;  // guarded by mu_
  string_map<list> patterns_;  // guarded by mu_
};

}  // namespace kyoto_redis
