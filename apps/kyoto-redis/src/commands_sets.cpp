// Sets: SADD SREM SMEMBERS SISMEMBER SCARD SPOP.
#include <random>

#include "command_util.hpp"

namespace kyoto_redis::cmd {

void sadd(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  auto* set = typed_or_create<3>(l.shard, cx.argv[1], cx.now, cx);
  if (set == nullptr) return;
  std::int64_t added = 0;
  for (std::size_t i = 2; i < cx.argv.size(); ++i) {
    added += set->emplace(cx.argv[i]).second ? 1 : 0;
  }
  reply::integer(cx.out, added);
}

void srem(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* set = typed<3>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  if (set == nullptr) return reply::integer(cx.out, 0);
  std::int64_t n = 0;
  for (std::size_t i = 2; i < cx.argv.size(); ++i) {
    auto it = set->find(cx.argv[i]);
    if (it != set->end()) {
      set->erase(it);
      ++n;
    }
  }
  if (set->empty()) l.shard.map.erase(l.shard.map.find(cx.argv[1]));
  reply::integer(cx.out, n);
}

void smembers(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* set = typed<3>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  if (set == nullptr) return reply::array(cx.out, 0);
  reply::array(cx.out, set->size());
  for (const auto& m : *set) reply::bulk(cx.out, m);
}

void sismember(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* set = typed<3>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  reply::integer(cx.out, set != nullptr && set->find(cx.argv[2]) != set->end() ? 1 : 0);
}

void scard(command_context& cx) {
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* set = typed<3>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  reply::integer(cx.out, set == nullptr ? 0 : static_cast<std::int64_t>(set->size()));
}

namespace {

// A random member: a random bucket, then the first non-empty one after it,
// then a random element of that bucket.
string_set::iterator random_member(string_set& set) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::size_t buckets = set.bucket_count();
  std::size_t b = std::uniform_int_distribution<std::size_t>(0, buckets - 1)(rng);
  while (set.bucket_size(b) == 0) b = (b + 1) % buckets;
  std::size_t k = std::uniform_int_distribution<std::size_t>(0, set.bucket_size(b) - 1)(rng);
  auto local = set.begin(b);
  while (k-- > 0) ++local;
  return set.find(*local);
}

}  // namespace

void spop(command_context& cx) {
  if (cx.argv.size() > 3) return reply::syntax_error(cx.out);
  bool has_count = cx.argv.size() == 3;
  std::int64_t count = 0;
  if (has_count && !positive_arg(cx, cx.argv[2], count)) return;
  locked_shard l(cx.server.db, cx.argv[1]);
  bool wrong = false;
  auto* set = typed<3>(l.shard, cx.argv[1], cx.now, cx, wrong);
  if (wrong) return;
  if (set == nullptr) return has_count ? reply::array(cx.out, 0) : reply::null_bulk(cx.out);
  if (has_count && count == 0) return reply::array(cx.out, 0);
  std::size_t n =
      has_count ? std::min<std::size_t>(static_cast<std::size_t>(count), set->size()) : 1;
  if (has_count) reply::array(cx.out, n);
  for (std::size_t i = 0; i < n; ++i) {
    auto it = random_member(*set);
    reply::bulk(cx.out, *it);
    set->erase(it);
  }
  if (set->empty()) l.shard.map.erase(l.shard.map.find(cx.argv[1]));
}

}  // namespace kyoto_redis::cmd
