// Hashes: HSET HGET HDEL HGETALL HLEN HINCRBY.
#include "command_util.hpp"

namespace kyoto_redis::cmd {

void hset(command_context& cx) {
  if (cx.argv.size() % 2 == 1) return wrong_args(cx.out, "hset");
  locked_shard l(cx.server.db, cx.argv[1]);
  auto* hash = typed_or_create<2>(l.shard, cx.argv[1], cx.now, cx);
  if (hash == nullptr) return;
  std::int64_t created = 0;
  for (std::size_t i = 2; i + 1 < cx.argv.size(); i += 2) {
    auto it = hash->find(cx.argv[i]);
    if (it == hash->end()) {
      hash->emplace(std::string(cx.argv[i]), std::string(cx.argv[i + 1]));
      ++created;
    } else {
      it->second.assign(cx.argv[i + 1]);
    }
  }
  reply::integer(cx.out, created);
}

void hget(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* hash = typed<2>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  if (hash == nullptr) return reply::null_bulk(cx.out);
  auto it = hash->find(cx.argv[2]);
  if (it == hash->end()) return reply::null_bulk(cx.out);
  reply::bulk(cx.out, it->second);
}

void hdel(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* hash = typed<2>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  if (hash == nullptr) return reply::integer(cx.out, 0);
  std::int64_t n = 0;
  for (std::size_t i = 2; i < cx.argv.size(); ++i) {
    auto it = hash->find(cx.argv[i]);
    if (it != hash->end()) {
      hash->erase(it);
      ++n;
    }
  }
  if (hash->empty()) l.shard.map.erase(l.shard.map.find(cx.argv[1]));
  reply::integer(cx.out, n);
}

void hgetall(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* hash = typed<2>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  if (hash == nullptr) return reply::array(cx.out, 0);
  reply::array(cx.out, hash->size() * 2);
  for (const auto& [f, v] : *hash) {
    reply::bulk(cx.out, f);
    reply::bulk(cx.out, v);
  }
}

void hlen(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* hash = typed<2>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  reply::integer(cx.out, hash == nullptr ? 0 : static_cast<std::int64_t>(hash->size()));
}

void hincrby(command_context& cx) {
  std::int64_t by = 0;
  if (!int_arg(cx, cx.argv[3], by)) return;
  locked_shard l(cx.server.db, cx.argv[1]);
  auto* hash = typed_or_create<2>(l.shard, cx.argv[1], cx.now, cx);
  if (hash == nullptr) return;
  std::int64_t value = 0;
  auto it = hash->find(cx.argv[2]);
  if (it != hash->end() && !parse_int64(it->second, value)) {
    return reply::error(cx.out, "ERR hash value is not an integer");
  }
  if ((by < 0 && value < 0 && by < INT64_MIN - value) ||
      (by > 0 && value > 0 && by > INT64_MAX - value)) {
    if (hash->empty()) l.shard.map.erase(l.shard.map.find(cx.argv[1]));
    return reply::error(cx.out, "ERR increment or decrement would overflow");
  }
  value += by;
  if (it == hash->end()) it = hash->emplace(std::string(cx.argv[2]), std::string()).first;
  it->second.clear();
  reply::append_int(it->second, value);
  reply::integer(cx.out, value);
}

}  // namespace kyoto_redis::cmd
