// Strings: GET SET INCR DECR INCRBY DECRBY MGET MSET APPEND STRLEN.
#include <algorithm>

#include "command_util.hpp"

namespace kyoto_redis::cmd {

void get(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  entry* e = store::find(l.shard, cx.argv[1], cx.now);
  if (e == nullptr) return reply::null_bulk(cx.out);
  if (!e->is_string()) return reply::wrong_type(cx.out);
  reply::bulk(cx.out, e->str());
}

void set(command_context& cx) {
  enum : unsigned {
    nx = 1,
    xx = 2,
    get_old = 4,
    keepttl = 8,
    ex = 16,
    px = 32,
    exat = 64,
    pxat = 128
  };
  constexpr unsigned any_expire = ex | px | exat | pxat;
  unsigned flags = 0;
  std::string_view expire_arg;
  auto args = cx.argv;
  for (std::size_t j = 3; j < args.size(); ++j) {
    std::string_view opt = args[j];
    bool has_next = j + 1 < args.size();
    if (ieq(opt, "nx") && !(flags & xx)) {
      flags |= nx;
    } else if (ieq(opt, "xx") && !(flags & nx)) {
      flags |= xx;
    } else if (ieq(opt, "get")) {
      flags |= get_old;
    } else if (ieq(opt, "keepttl") && !(flags & any_expire)) {
      flags |= keepttl;
    } else if (has_next && !(flags & keepttl) &&
               ((ieq(opt, "ex") && !(flags & (any_expire & ~ex))) ||
                (ieq(opt, "px") && !(flags & (any_expire & ~px))) ||
                (ieq(opt, "exat") && !(flags & (any_expire & ~exat))) ||
                (ieq(opt, "pxat") && !(flags & (any_expire & ~pxat))))) {
      flags |= ieq(opt, "ex") ? ex : ieq(opt, "px") ? px : ieq(opt, "exat") ? exat : pxat;
      expire_arg = args[++j];
    } else {
      return reply::syntax_error(cx.out);
    }
  }
  std::int64_t deadline = 0;
  if (flags & any_expire) {
    std::int64_t v = 0;
    if (!int_arg(cx, expire_arg, v)) return;
    bool seconds = flags & (ex | exat);
    if (v <= 0 || (seconds && v > INT64_MAX / 1000)) {
      return reply::error(cx.out, "ERR invalid expire time in 'set' command");
    }
    if (seconds) v *= 1000;
    if (flags & (ex | px)) {
      if (v > INT64_MAX - cx.now) {
        return reply::error(cx.out, "ERR invalid expire time in 'set' command");
      }
      v += cx.now;
    }
    deadline = v;
  }
  locked_shard l(cx.server.db, cx.argv[1]);
  entry* e = store::find(l.shard, cx.argv[1], cx.now);
  if (flags & get_old) {
    if (e != nullptr && !e->is_string()) return reply::wrong_type(cx.out);
    if (e == nullptr) {
      reply::null_bulk(cx.out);
    } else {
      reply::bulk(cx.out, e->str());
    }
  }
  if (((flags & nx) && e != nullptr) || ((flags & xx) && e == nullptr)) {
    if (!(flags & get_old)) reply::null_bulk(cx.out);
    return;
  }
  if (e == nullptr) {
    e = &l.shard.map.try_emplace(std::string(cx.argv[1])).first->second;
  }
  if (e->is_string()) {
    e->str().assign(cx.argv[2]);
  } else {
    e->value.emplace<0>(cx.argv[2]);
  }
  if (!(flags & keepttl)) e->expires_at = 0;
  if (flags & any_expire) {
    if (deadline <= cx.now) {  // EXAT / PXAT in the past
      l.shard.map.erase(l.shard.map.find(cx.argv[1]));
    } else {
      e->expires_at = deadline;
    }
  }
  if (!(flags & get_old)) reply::ok(cx.out);
}

namespace {

void incr_by(command_context& cx, std::int64_t by) {
  locked_shard l(cx.server.db, cx.argv[1]);
  entry* e = store::find(l.shard, cx.argv[1], cx.now);
  std::int64_t value = 0;
  if (e != nullptr) {
    if (!e->is_string()) return reply::wrong_type(cx.out);
    if (!parse_int64(e->str(), value)) return reply::not_integer(cx.out);
  }
  if ((by < 0 && value < 0 && by < INT64_MIN - value) ||
      (by > 0 && value > 0 && by > INT64_MAX - value)) {
    return reply::error(cx.out, "ERR increment or decrement would overflow");
  }
  value += by;
  if (e == nullptr) e = &l.shard.map.try_emplace(std::string(cx.argv[1])).first->second;
  auto& s = e->str();
  s.clear();
  reply::append_int(s, value);
  reply::integer(cx.out, value);
}

}  // namespace

void incr(command_context& cx) { incr_by(cx, 1); }
void decr(command_context& cx) { incr_by(cx, -1); }

void incrby(command_context& cx) {
  std::int64_t by = 0;
  if (!int_arg(cx, cx.argv[2], by)) return;
  incr_by(cx, by);
}

void decrby(command_context& cx) {
  std::int64_t by = 0;
  if (!int_arg(cx, cx.argv[2], by)) return;
  if (by == INT64_MIN) return reply::error(cx.out, "ERR decrement would overflow");
  incr_by(cx, -by);
}

void mget(command_context& cx) {
  auto keys = cx.argv.subspan(1);
  auto locks = cx.server.db.lock_keys(keys.data(), keys.size(), 1);
  reply::array(cx.out, keys.size());
  for (auto k : keys) {
    entry* e = store::find(cx.server.db.shard_for(k), k, cx.now);
    if (e == nullptr || !e->is_string()) {
      reply::null_bulk(cx.out);
    } else {
      reply::bulk(cx.out, e->str());
    }
  }
}

void mset(command_context& cx) {
  if (cx.argv.size() % 2 == 0) return wrong_args(cx.out, "mset");
  auto pairs = cx.argv.subspan(1);
  auto locks = cx.server.db.lock_keys(pairs.data(), pairs.size() / 2, 2);
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
    auto& sh = cx.server.db.shard_for(pairs[i]);
    auto& e = sh.map.try_emplace(std::string(pairs[i])).first->second;
    if (e.is_string()) {
      e.str().assign(pairs[i + 1]);
    } else {
      e.value.emplace<0>(pairs[i + 1]);
    }
    e.expires_at = 0;
  }
  reply::ok(cx.out);
}

void append(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  entry* e = store::find(l.shard, cx.argv[1], cx.now);
  if (e != nullptr && !e->is_string()) return reply::wrong_type(cx.out);
  if (e == nullptr) e = &l.shard.map.try_emplace(std::string(cx.argv[1])).first->second;
  e->str().append(cx.argv[2]);
  reply::integer(cx.out, static_cast<std::int64_t>(e->str().size()));
}

void strlen(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  entry* e = store::find(l.shard, cx.argv[1], cx.now);
  if (e == nullptr) return reply::integer(cx.out, 0);
  if (!e->is_string()) return reply::wrong_type(cx.out);
  reply::integer(cx.out, static_cast<std::int64_t>(e->str().size()));
}

}  // namespace kyoto_redis::cmd
