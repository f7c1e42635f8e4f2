// Lists: LPUSH RPUSH LPOP RPOP LLEN LRANGE LINDEX.
#include "command_util.hpp"

namespace kyoto_redis::cmd {

namespace {

void push(command_context& cx, bool front) {
  locked_shard l(cx.server.db, cx.argv[1]);
  auto* list = typed_or_create<1>(l.shard, cx.argv[1], cx.now, cx);
  if (list == nullptr) return;
  for (std::size_t i = 2; i < cx.argv.size(); ++i) {
    if (front) {
      list->emplace_front(cx.argv[i]);
    } else {
      list->emplace_back(cx.argv[i]);
    }
  }
  reply::integer(cx.out, static_cast<std::int64_t>(list->size()));
}

void pop(command_context& cx, bool front, std::string_view name) {
  if (cx.argv.size() > 3) return wrong_args(cx.out, name);
  std::int64_t count = 0;
  bool has_count = cx.argv.size() == 3;
  if (has_count && !positive_arg(cx, cx.argv[2], count)) return;
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* list = typed<1>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  if (list == nullptr) return has_count ? reply::null_array(cx.out) : reply::null_bulk(cx.out);
  if (has_count && count == 0) return reply::array(cx.out, 0);
  auto take = [&] {
    if (front) {
      reply::bulk(cx.out, list->front());
      list->pop_front();
    } else {
      reply::bulk(cx.out, list->back());
      list->pop_back();
    }
  };
  if (!has_count) {
    take();
  } else {
    std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(count), list->size());
    reply::array(cx.out, n);
    for (std::size_t i = 0; i < n; ++i) take();
  }
  if (list->empty()) l.shard.map.erase(l.shard.map.find(cx.argv[1]));
}

}  // namespace

void lpush(command_context& cx) { push(cx, true); }
void rpush(command_context& cx) { push(cx, false); }
void lpop(command_context& cx) { pop(cx, true, "lpop"); }
void rpop(command_context& cx) { pop(cx, false, "rpop"); }

void llen(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* list = typed<1>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  reply::integer(cx.out, list == nullptr ? 0 : static_cast<std::int64_t>(list->size()));
}

void lrange(command_context& cx) {
  std::int64_t start = 0;
  std::int64_t stop = 0;
  if (!int_arg(cx, cx.argv[2], start) || !int_arg(cx, cx.argv[3], stop)) return;
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* list = typed<1>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  if (list == nullptr) return reply::array(cx.out, 0);
  auto len = static_cast<std::int64_t>(list->size());
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return reply::array(cx.out, 0);
  if (stop >= len) stop = len - 1;
  reply::array(cx.out, static_cast<std::size_t>(stop - start + 1));
  auto it = list->begin() + start;
  for (std::int64_t i = start; i <= stop; ++i, ++it) reply::bulk(cx.out, *it);
}

void lindex(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* list = typed<1>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  if (list == nullptr) return reply::null_bulk(cx.out);
  std::int64_t index = 0;
  if (!int_arg(cx, cx.argv[2], index)) return;
  auto len = static_cast<std::int64_t>(list->size());
  if (index < 0) index += len;
  if (index < 0 || index >= len) return reply::null_bulk(cx.out);
  reply::bulk(cx.out, (*list)[static_cast<std::size_t>(index)]);
}

}  // namespace kyoto_redis::cmd
