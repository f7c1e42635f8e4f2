#include "store.hpp"

#include <algorithm>
#include <chrono>

namespace kyoto_redis {

std::string_view entry::type_name() const {
  switch (value.index()) {
    case 0:
      return "string";
    case 1:
      return "list";
    case 2:
      return "hash";
    default:
      return "set";
  }
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

store::store(std::size_t shard_count) {
  shards_.reserve(shard_count);
  for (std::size_t i = 0; i < shard_count; ++i) shards_.push_back(std::make_unique<shard>());
}

std::size_t store::shard_index(std::string_view key) const {
  // The high bits pick the shard; the map's buckets use the value modulo a
  // prime, so the two choices stay independent.
  std::size_t h = std::hash<std::string_view>{}(key);
  return (h >> 40) % shards_.size();
}

entry* store::find(shard& s, std::string_view key, std::int64_t now) {
  auto it = s.map.find(key);
  if (it == s.map.end()) return nullptr;
  if (it->second.expires_at != 0 && it->second.expires_at <= now) {
    s.map.erase(it);
    return nullptr;
  }
  return &it->second;
}

bool store::erase(shard& s, std::string_view key, std::int64_t now) {
  auto it = s.map.find(key);
  if (it == s.map.end()) return false;
  bool live = it->second.expires_at == 0 || it->second.expires_at > now;
  s.map.erase(it);
  return live;
}

std::vector<std::unique_lock<std::mutex>> store::lock_all() {
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(shards_.size());
  for (auto& s : shards_) locks.emplace_back(s->mu);
  return locks;
}

std::vector<std::unique_lock<std::mutex>> store::lock_keys(const std::string_view* keys,
                                                           std::size_t count, std::size_t stride) {
  std::vector<std::size_t> idx;
  idx.reserve(count);
  for (std::size_t i = 0; i < count; ++i) idx.push_back(shard_index(keys[i * stride]));
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(idx.size());
  for (auto i : idx) locks.emplace_back(shards_[i]->mu);
  return locks;
}

std::size_t store::expire_sample(std::int64_t now) {
  constexpr std::size_t sample = 20;        // keys with a deadline looked at per round
  constexpr std::size_t max_buckets = 400;  // buckets visited per round at most
  constexpr int max_rounds = 16;
  std::size_t deleted = 0;
  std::vector<std::string> expired;
  for (auto& sp : shards_) {
    shard& s = *sp;
    std::lock_guard lock(s.mu);
    for (int round = 0; round < max_rounds && !s.map.empty(); ++round) {
      std::size_t buckets = s.map.bucket_count();
      std::size_t seen = 0;
      expired.clear();
      std::size_t start = s.expire_cursor % buckets;
      for (std::size_t b = 0; b < max_buckets && b < buckets && seen < sample; ++b) {
        std::size_t bucket = (start + b) % buckets;
        for (auto it = s.map.begin(bucket); it != s.map.end(bucket); ++it) {
          if (it->second.expires_at == 0) continue;
          ++seen;
          if (it->second.expires_at <= now) expired.push_back(it->first);
        }
        s.expire_cursor = (bucket + 1) % buckets;
      }
      for (const auto& k : expired) s.map.erase(k);
      deleted += expired.size();
      if (seen == 0 || expired.size() * 4 < seen) break;
    }
  }
  return deleted;
}

}  // namespace kyoto_redis
