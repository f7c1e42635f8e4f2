#include "pubsub.hpp"

#include <algorithm>

#include "glob.hpp"
#include "reply.hpp"

namespace kyoto_redis {

bool subscriber::deliver(std::string message) {
  std::size_t n = message.size();
  if (overflowed.load(std::memory_order_relaxed)) return false;
  if (queued.fetch_add(n, std::memory_order_relaxed) + n > limit) {
    queued.fetch_sub(n, std::memory_order_relaxed);
    if (!overflowed.exchange(true, std::memory_order_relaxed)) {
      overflow_notify.notify_one();
    }
    return false;
  }
  if (!tx.try_send(std::move(message))) {  // the connection is gone
    queued.fetch_sub(n, std::memory_order_relaxed);
    return false;
  }
  return true;
}

namespace {

bool add(string_map<std::vector<std::shared_ptr<subscriber>>>& map, std::string_view name,
         const std::shared_ptr<subscriber>& s) {
  auto it = map.find(name);
  if (it == map.end())
    it = map.emplace(std::string(name), std::vector<std::shared_ptr<subscriber>>{}).first;
  auto& v = it->second;
  if (std::find(v.begin(), v.end(), s) != v.end()) return false;
  v.push_back(s);
  return true;
}

bool remove(string_map<std::vector<std::shared_ptr<subscriber>>>& map, std::string_view name,
            const subscriber* s) {
  auto it = map.find(name);
  if (it == map.end()) return false;
  auto& v = it->second;
  auto pos = std::find_if(v.begin(), v.end(), [&](const auto& p) { return p.get() == s; });
  if (pos == v.end()) return false;
  v.erase(pos);
  if (v.empty()) map.erase(it);
  return true;
}

}  // namespace

bool pubsub_registry::subscribe(std::string_view channel, const std::shared_ptr<subscriber>& s) {
  std::lock_guard lock(mu_);
  return add(channels_, channel, s);
}

bool pubsub_registry::unsubscribe(std::string_view channel, const subscriber* s) {
  std::lock_guard lock(mu_);
  return remove(channels_, channel, s);
}

bool pubsub_registry::psubscribe(std::string_view pattern, const std::shared_ptr<subscriber>& s) {
  std::lock_guard lock(mu_);
  return add(patterns_, pattern, s);
}

bool pubsub_registry::punsubscribe(std::string_view pattern, const subscriber* s) {
  std::lock_guard lock(mu_);
  return remove(patterns_, pattern, s);
}

std::size_t pubsub_registry::publish(std::string_view channel, std::string_view message) {
  std::size_t receivers = 0;
  std::lock_guard lock(mu_);
  if (auto it = channels_.find(channel); it != channels_.end()) {
    std::string msg;
    reply::array(msg, 3);
    reply::bulk(msg, "message");
    reply::bulk(msg, channel);
    reply::bulk(msg, message);
    for (const auto& s : it->second) {
      s->deliver(msg);
      ++receivers;
    }
  }
  for (const auto& [pattern, subs] : patterns_) {
    if (!glob_match(pattern, channel)) continue;
    std::string msg;
    reply::array(msg, 4);
    reply::bulk(msg, "pmessage");
    reply::bulk(msg, pattern);
    reply::bulk(msg, channel);
    reply::bulk(msg, message);
    for (const auto& s : subs) {
      s->deliver(msg);
      ++receivers;
    }
  }
  return receivers;
}

std::size_t pubsub_registry::channel_count() {
  std::lock_guard lock(mu_);
  return channels_.size();
}

std::size_t pubsub_registry::pattern_count() {
  std::lock_guard lock(mu_);
  return patterns_.size();
}

}  // namespace kyoto_redis
