// The keyspace: DEL EXISTS EXPIRE PEXPIRE TTL PTTL PERSIST KEYS SCAN DBSIZE
// FLUSHDB/FLUSHALL TYPE.
#include <cerrno>
#include <cstdlib>

#include "command_util.hpp"
#include "glob.hpp"

namespace kyoto_redis::cmd {

void del(command_context& cx) {
  auto keys = cx.argv.subspan(1);
  auto locks = cx.server.db.lock_keys(keys.data(), keys.size(), 1);
  std::int64_t n = 0;
  for (auto k : keys) n += store::erase(cx.server.db.shard_for(k), k, cx.now) ? 1 : 0;
  reply::integer(cx.out, n);
}

void exists(command_context& cx) {
  auto keys = cx.argv.subspan(1);
  auto locks = cx.server.db.lock_keys(keys.data(), keys.size(), 1);
  std::int64_t n = 0;
  for (auto k : keys) n += store::find(cx.server.db.shard_for(k), k, cx.now) != nullptr ? 1 : 0;
  reply::integer(cx.out, n);
}

namespace {

void expire_generic(command_context& cx, bool seconds, std::string_view fullname) {
  bool nx = false, xx = false, gt = false, lt = false;
  for (std::size_t j = 3; j < cx.argv.size(); ++j) {
    auto opt = cx.argv[j];
    if (ieq(opt, "nx")) {
      nx = true;
    } else if (ieq(opt, "xx")) {
      xx = true;
    } else if (ieq(opt, "gt")) {
      gt = true;
    } else if (ieq(opt, "lt")) {
      lt = true;
    } else {
      return reply::error(cx.out, "ERR Unsupported option " + std::string(opt));
    }
  }
  if (nx && (xx || gt || lt)) {
    return reply::error(cx.out,
                        "ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) {
    return reply::error(cx.out, "ERR GT and LT options at the same time are not compatible");
  }
  std::int64_t when = 0;
  if (!int_arg(cx, cx.argv[2], when)) return;
  std::string invalid = "ERR invalid expire time in '" + std::string(fullname) + "' command";
  if (seconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) return reply::error(cx.out, invalid);
    when *= 1000;
  }
  if (when > INT64_MAX - cx.now) return reply::error(cx.out, invalid);
  when += cx.now;
  locked_shard l(cx.server.db, cx.argv[1]);
  entry* e = store::find(l.shard, cx.argv[1], cx.now);
  if (e == nullptr) return reply::integer(cx.out, 0);
  std::int64_t current = e->expires_at == 0 ? -1 : e->expires_at;
  if ((nx && current != -1) || (xx && current == -1) ||
      (gt && (when <= current || current == -1)) || (lt && current != -1 && when >= current)) {
    return reply::integer(cx.out, 0);
  }
  if (when <= cx.now) {
    l.shard.map.erase(l.shard.map.find(cx.argv[1]));
  } else {
    e->expires_at = when;
  }
  reply::integer(cx.out, 1);
}

void ttl_generic(command_context& cx, bool ms) {
  locked_shard l(cx.server.db, cx.argv[1]);
  entry* e = store::find(l.shard, cx.argv[1], cx.now);
  if (e == nullptr) return reply::integer(cx.out, -2);
  if (e->expires_at == 0) return reply::integer(cx.out, -1);
  std::int64_t left = e->expires_at - cx.now;
  if (left < 0) left = 0;
  reply::integer(cx.out, ms ? left : (left + 500) / 1000);
}

}  // namespace

void expire(command_context& cx) { expire_generic(cx, true, "expire"); }
void pexpire(command_context& cx) { expire_generic(cx, false, "pexpire"); }
void ttl(command_context& cx) { ttl_generic(cx, false); }
void pttl(command_context& cx) { ttl_generic(cx, true); }

void persist(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  entry* e = store::find(l.shard, cx.argv[1], cx.now);
  if (e == nullptr || e->expires_at == 0) return reply::integer(cx.out, 0);
  e->expires_at = 0;
  reply::integer(cx.out, 1);
}

void keys(command_context& cx) {
  std::string_view pattern = cx.argv[1];
  bool all = pattern == "*";
  std::string body;
  std::size_t n = 0;
  auto locks = cx.server.db.lock_all();
  for (std::size_t i = 0; i < cx.server.db.shard_count(); ++i) {
    for (const auto& [k, e] : cx.server.db.shard_at(i).map) {
      if (e.expires_at != 0 && e.expires_at <= cx.now) continue;
      if (!all && !glob_match(pattern, k)) continue;
      reply::bulk(body, k);
      ++n;
    }
  }
  reply::array(cx.out, n);
  cx.out.append(body);
}

// The cursor is the shard in the top 16 bits and the next bucket of that
// shard below. One call walks buckets of one shard until COUNT keys were
// looked at (or 10 * COUNT buckets), like Redis's SCAN. A key may come
// twice; unlike Redis's reverse-binary cursor, a key that stays may be
// missed if its shard's table was resized between two calls.
void scan(command_context& cx) {
  std::string cursor_text(cx.argv[1]);
  errno = 0;
  char* end = nullptr;
  unsigned long long cursor = std::strtoull(cursor_text.c_str(), &end, 10);
  if (cursor_text.empty() || *end != '\0' || errno == ERANGE) {
    return reply::error(cx.out, "ERR invalid cursor");
  }
  std::int64_t count = 10;
  std::string_view pattern;
  std::string_view type;
  bool has_pattern = false;
  bool has_type = false;
  for (std::size_t j = 2; j < cx.argv.size(); j += 2) {
    if (j + 1 >= cx.argv.size()) return reply::syntax_error(cx.out);
    auto opt = cx.argv[j];
    if (ieq(opt, "count")) {
      if (!int_arg(cx, cx.argv[j + 1], count)) return;
      if (count < 1) return reply::syntax_error(cx.out);
    } else if (ieq(opt, "match")) {
      pattern = cx.argv[j + 1];
      has_pattern = pattern != "*";
    } else if (ieq(opt, "type")) {
      type = cx.argv[j + 1];
      has_type = true;
    } else {
      return reply::syntax_error(cx.out);
    }
  }
  auto& db = cx.server.db;
  std::size_t shard = static_cast<std::size_t>(cursor >> 48);
  std::size_t bucket = static_cast<std::size_t>(cursor & ((1ULL << 48) - 1));
  std::string keys;
  std::size_t found = 0;
  unsigned long long next = 0;
  if (shard < db.shard_count()) {
    auto& s = db.shard_at(shard);
    std::lock_guard lock(s.mu);
    std::size_t buckets = s.map.bucket_count();
    std::size_t looked = 0;
    auto max_buckets = static_cast<std::size_t>(count) * 10;
    for (std::size_t visited = 0;
         bucket < buckets && looked < static_cast<std::size_t>(count) && visited < max_buckets;
         ++bucket, ++visited) {
      for (auto it = s.map.begin(bucket); it != s.map.end(bucket); ++it) {
        ++looked;
        const auto& [k, e] = *it;
        if (e.expires_at != 0 && e.expires_at <= cx.now) continue;
        if (has_pattern && !glob_match(pattern, k)) continue;
        if (has_type && !ieq(type, e.type_name())) continue;
        reply::bulk(keys, k);
        ++found;
      }
    }
    if (bucket < buckets) {
      next = (static_cast<unsigned long long>(shard) << 48) | bucket;
    } else if (shard + 1 < db.shard_count()) {
      next = static_cast<unsigned long long>(shard + 1) << 48;
    }
  }
  reply::array(cx.out, 2);
  reply::bulk(cx.out, std::to_string(next));
  reply::array(cx.out, found);
  cx.out.append(keys);
}

void dbsize(command_context& cx) {
  auto locks = cx.server.db.lock_all();
  std::size_t n = 0;
  for (std::size_t i = 0; i < cx.server.db.shard_count(); ++i) {
    n += cx.server.db.shard_at(i).map.size();
  }
  reply::integer(cx.out, static_cast<std::int64_t>(n));
}

void flushdb(command_context& cx) {
  if (cx.argv.size() > 2 ||
      (cx.argv.size() == 2 && !ieq(cx.argv[1], "async") && !ieq(cx.argv[1], "sync"))) {
    return reply::syntax_error(cx.out);
  }
  {
    auto locks = cx.server.db.lock_all();
    for (std::size_t i = 0; i < cx.server.db.shard_count(); ++i) {
      auto& s = cx.server.db.shard_at(i);
      s.map.clear();
      s.expire_cursor = 0;
    }
  }
  reply::ok(cx.out);
}

void type(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  entry* e = store::find(l.shard, cx.argv[1], cx.now);
  reply::simple(cx.out, e == nullptr ? "none" : e->type_name());
}

}  // namespace kyoto_redis::cmd
