// The keyspace: a fixed number of shards, each a hash map under its own
// std::mutex, so that clients on different workers touch different locks.
//
// Locking protocol: a shard's mutex guards its map and every value in it.
// It is held only for the synchronous part of one command (never across a
// co_await): a command looks its keys up, reads or changes them and writes
// its reply into the connection's buffer, then unlocks. A command on
// several keys (MSET, MGET, DEL, EXISTS) locks every shard it touches at
// once, in increasing shard order, so it is atomic as in Redis and two
// such commands cannot deadlock; KEYS, DBSIZE and FLUSHDB lock all shards
// in that same order.
//
// Expiry: an entry carries its deadline (unix ms, 0 = none). A lookup that
// finds an expired entry deletes it (expiry on access), and the server's
// background task calls expire_sample() a few times a second, which looks
// at a bounded sample of keys per shard from a rotating bucket cursor and
// deletes the expired ones, going on while a quarter or more of the sample
// had expired (Redis's active expiry cycle, bounded the same way).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

namespace kyoto_redis {

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <class V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;
using string_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;
using list_value = std::deque<std::string>;
using hash_value = string_map<std::string>;

struct entry {
  std::variant<std::string, list_value, hash_value, string_set> value;
  std::int64_t expires_at = 0;  // unix time in ms; 0 = never

  bool is_string() const { return value.index() == 0; }
  std::string& str() { return std::get<0>(value); }
  // "string", "list", "hash", "set".
  std::string_view type_name() const;
};

// Unix time in milliseconds.
std::int64_t now_ms();

class store {
 public:
  struct shard {
    std::mutex mu;
    string_map<entry> map;          // guarded by mu
    std::size_t expire_cursor = 0;  // guarded by mu: next bucket to sample
  };

  explicit store(std::size_t shard_count = 64);
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  std::size_t shard_count() const { return shards_.size(); }
  std::size_t shard_index(std::string_view key) const;
  shard& shard_at(std::size_t i) { return *shards_[i]; }
  shard& shard_for(std::string_view key) { return *shards_[shard_index(key)]; }

  // With the shard locked: the live entry of `key`, or nullptr (an expired
  // one is deleted first).
  static entry* find(shard& s, std::string_view key, std::int64_t now);
  // With the shard locked: deletes `key`; true if it existed and was live.
  static bool erase(shard& s, std::string_view key, std::int64_t now);

  // Locks every shard (in order) until the returned object is destroyed.
  std::vector<std::unique_lock<std::mutex>> lock_all();
  // Locks the shards of `keys` (each once, in order).
  std::vector<std::unique_lock<std::mutex>> lock_keys(const std::string_view* keys,
                                                      std::size_t count, std::size_t stride);

  // One active expiry pass; returns how many keys it deleted.
  std::size_t expire_sample(std::int64_t now);

 private:
  std::vector<std::unique_ptr<shard>> shards_;
};

}  // namespace kyoto_redis
