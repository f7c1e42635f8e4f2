// Pub/sub: PUBLISH SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE.
#include <vector>

#include "command_util.hpp"

namespace kyoto_redis::cmd {

namespace {

std::int64_t subscription_count(const client_state& c) {
  return static_cast<std::int64_t>(c.channels.size() + c.patterns.size());
}

void confirm(command_context& cx, std::string_view kind, std::string_view name) {
  reply::array(cx.out, 3);
  reply::bulk(cx.out, kind);
  reply::bulk(cx.out, name);
  reply::integer(cx.out, subscription_count(cx.client));
}

bool ensure_subscriber(command_context& cx) {
  if (cx.client.sub) return true;
  if (cx.make_subscriber == nullptr) return false;
  cx.client.sub = cx.make_subscriber(cx.connection);
  return static_cast<bool>(cx.client.sub);
}

void subscribe_generic(command_context& cx, bool pattern) {
  if (!ensure_subscriber(cx)) return reply::error(cx.out, "ERR pub/sub is not available here");
  bool was = cx.client.subscribed();
  for (std::size_t i = 1; i < cx.argv.size(); ++i) {
    auto name = cx.argv[i];
    auto& mine = pattern ? cx.client.patterns : cx.client.channels;
    if (mine.emplace(name).second) {
      if (pattern) {
        cx.server.pubsub.psubscribe(name, cx.client.sub);
      } else {
        cx.server.pubsub.subscribe(name, cx.client.sub);
      }
    }
    confirm(cx, pattern ? "psubscribe" : "subscribe", name);
  }
  if (!was && cx.client.subscribed()) cx.server.pubsub_clients.fetch_add(1);
}

void unsubscribe_generic(command_context& cx, bool pattern) {
  auto& mine = pattern ? cx.client.patterns : cx.client.channels;
  std::string_view kind = pattern ? "punsubscribe" : "unsubscribe";
  bool was = cx.client.subscribed();
  auto drop = [&](std::string_view name) {
    if (auto it = mine.find(name); it != mine.end()) {
      if (pattern) {
        cx.server.pubsub.punsubscribe(name, cx.client.sub.get());
      } else {
        cx.server.pubsub.unsubscribe(name, cx.client.sub.get());
      }
      mine.erase(it);
    }
  };
  if (cx.argv.size() == 1) {
    if (mine.empty()) {
      reply::array(cx.out, 3);
      reply::bulk(cx.out, kind);
      reply::null_bulk(cx.out);
      reply::integer(cx.out, subscription_count(cx.client));
    }
    std::vector<std::string> all(mine.begin(), mine.end());
    for (const auto& name : all) {
      drop(name);
      confirm(cx, kind, name);
    }
  } else {
    for (std::size_t i = 1; i < cx.argv.size(); ++i) {
      drop(cx.argv[i]);
      confirm(cx, kind, cx.argv[i]);
    }
  }
  if (was && !cx.client.subscribed()) cx.server.pubsub_clients.fetch_sub(1);
}

}  // namespace

void publish(command_context& cx) {
  reply::integer(cx.out,
                 static_cast<std::int64_t>(cx.server.pubsub.publish(cx.argv[1], cx.argv[2])));
}

void subscribe(command_context& cx) { subscribe_generic(cx, false); }
void psubscribe(command_context& cx) { subscribe_generic(cx, true); }
void unsubscribe(command_context& cx) { unsubscribe_generic(cx, false); }
void punsubscribe(command_context& cx) { unsubscribe_generic(cx, true); }

}  // namespace kyoto_redis::cmd
