// Helpers shared by the command handlers (commands_*.cpp).
#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>

#include "command.hpp"
#include "reply.hpp"
#include "resp_parser.hpp"

namespace kyoto_redis {

// The shard of one key, locked for the rest of the handler.
struct locked_shard {
  locked_shard(store& db, std::string_view key) : shard(db.shard_for(key)), lock(shard.mu) {}
  store::shard& shard;
  std::unique_lock<std::mutex> lock;
};

// An integer argument; replies "value is not an integer or out of range"
// and returns false when it is not one.
inline bool int_arg(command_context& cx, std::string_view s, std::int64_t& v) {
  if (parse_int64(s, v)) return true;
  reply::not_integer(cx.out);
  return false;
}

// A count that must not be negative (LPOP, SPOP); Redis gives the same
// error for a negative number and for no number.
inline bool positive_arg(command_context& cx, std::string_view s, std::int64_t& v) {
  if (parse_int64(s, v) && v >= 0) return true;
  reply::error(cx.out, "ERR value is out of range, must be positive");
  return false;
}

inline bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The entry of `key` if it exists and holds type index I; replies
// WRONGTYPE and sets `wrong` when it holds another type.
template <std::size_t I>
auto* typed(store::shard& s, std::string_view key, std::int64_t now, command_context& cx,
            bool& wrong) {
  wrong = false;
  entry* e = store::find(s, key, now);
  using T = std::variant_alternative_t<I, decltype(entry::value)>;
  if (e == nullptr) return static_cast<T*>(nullptr);
  if (e->value.index() != I) {
    wrong = true;
    reply::wrong_type(cx.out);
    return static_cast<T*>(nullptr);
  }
  return &std::get<I>(e->value);
}

// As typed(), creating an empty value when the key is missing.
template <std::size_t I>
auto* typed_or_create(store::shard& s, std::string_view key, std::int64_t now,
                      command_context& cx) {
  using T = std::variant_alternative_t<I, decltype(entry::value)>;
  entry* e = store::find(s, key, now);
  if (e == nullptr) {
    auto [it, _] = s.map.try_emplace(std::string(key));
    it->second.value.template emplace<I>();
    it->second.expires_at = 0;
    return &std::get<I>(it->second.value);
  }
  if (e->value.index() != I) {
    reply::wrong_type(cx.out);
    return static_cast<T*>(nullptr);
  }
  return &std::get<I>(e->value);
}

}  // namespace kyoto_redis
