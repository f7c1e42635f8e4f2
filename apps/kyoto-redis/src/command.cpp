#include "command.hpp"

#include <vector>

#include "reply.hpp"

namespace kyoto_redis {

namespace {

constexpr std::uint32_t w = cmd_write;
constexpr std::uint32_t r = cmd_readonly;
constexpr std::uint32_t f = cmd_fast;
constexpr std::uint32_t ps = cmd_pubsub;
constexpr std::uint32_t adm = cmd_admin;

// name, arity, flags, handler, first key, last key, step (as COMMAND shows them).
const command_def table[] = {
    {"get", 2, r | f, cmd::get, 1, 1, 1},
    {"set", -3, w, cmd::set, 1, 1, 1},
    {"incr", 2, w | f, cmd::incr, 1, 1, 1},
    {"decr", 2, w | f, cmd::decr, 1, 1, 1},
    {"incrby", 3, w | f, cmd::incrby, 1, 1, 1},
    {"decrby", 3, w | f, cmd::decrby, 1, 1, 1},
    {"mget", -2, r | f, cmd::mget, 1, -1, 1},
    {"mset", -3, w, cmd::mset, 1, -1, 2},
    {"append", 3, w | f, cmd::append, 1, 1, 1},
    {"strlen", 2, r | f, cmd::strlen, 1, 1, 1},
    {"del", -2, w, cmd::del, 1, -1, 1},
    {"exists", -2, r | f, cmd::exists, 1, -1, 1},
    {"expire", -3, w | f, cmd::expire, 1, 1, 1},
    {"pexpire", -3, w | f, cmd::pexpire, 1, 1, 1},
    {"ttl", 2, r | f, cmd::ttl, 1, 1, 1},
    {"pttl", 2, r | f, cmd::pttl, 1, 1, 1},
    {"persist", 2, w | f, cmd::persist, 1, 1, 1},
    {"keys", 2, r, cmd::keys, 0, 0, 0},
    {"scan", -2, r, cmd::scan, 0, 0, 0},
    {"dbsize", 1, r | f, cmd::dbsize, 0, 0, 0},
    {"flushdb", -1, w, cmd::flushdb, 0, 0, 0},
    {"flushall", -1, w, cmd::flushdb, 0, 0, 0},
    {"type", 2, r | f, cmd::type, 1, 1, 1},
    {"lpush", -3, w | f, cmd::lpush, 1, 1, 1},
    {"rpush", -3, w | f, cmd::rpush, 1, 1, 1},
    {"lpop", -2, w | f, cmd::lpop, 1, 1, 1},
    {"rpop", -2, w | f, cmd::rpop, 1, 1, 1},
    {"llen", 2, r | f, cmd::llen, 1, 1, 1},
    {"lrange", 4, r, cmd::lrange, 1, 1, 1},
    {"lindex", 3, r, cmd::lindex, 1, 1, 1},
    {"hset", -4, w | f, cmd::hset, 1, 1, 1},
    {"hget", 3, r | f, cmd::hget, 1, 1, 1},
    {"hdel", -3, w | f, cmd::hdel, 1, 1, 1},
    {"hgetall", 2, r, cmd::hgetall, 1, 1, 1},
    {"hlen", 2, r | f, cmd::hlen, 1, 1, 1},
    {"hincrby", 4, w | f, cmd::hincrby, 1, 1, 1},
    {"sadd", -3, w | f, cmd::sadd, 1, 1, 1},
    {"srem", -3, w | f, cmd::srem, 1, 1, 1},
    {"smembers", 2, r, cmd::smembers, 1, 1, 1},
    {"sismember", 3, r | f, cmd::sismember, 1, 1, 1},
    {"scard", 2, r | f, cmd::scard, 1, 1, 1},
    {"spop", -2, w | f, cmd::spop, 1, 1, 1},
    {"publish", 3, ps | f, cmd::publish, 0, 0, 0},
    {"subscribe", -2, ps, cmd::subscribe, 0, 0, 0},
    {"unsubscribe", -1, ps, cmd::unsubscribe, 0, 0, 0},
    {"psubscribe", -2, ps, cmd::psubscribe, 0, 0, 0},
    {"punsubscribe", -1, ps, cmd::punsubscribe, 0, 0, 0},
    {"ping", -1, f, cmd::ping, 0, 0, 0},
    {"echo", 2, f, cmd::echo, 0, 0, 0},
    {"select", 2, f, cmd::select, 0, 0, 0},
    {"quit", -1, f, cmd::quit, 0, 0, 0},
    {"shutdown", -1, adm, cmd::shutdown, 0, 0, 0},
    {"client", -2, 0, cmd::client, 0, 0, 0},
    {"info", -1, 0, cmd::info, 0, 0, 0},
    {"command", -1, 0, cmd::command, 0, 0, 0},
    {"config", -2, adm, cmd::config, 0, 0, 0},
};

// The commands a subscribed RESP2 connection may send (Redis also allows
// RESET, SSUBSCRIBE and SUNSUBSCRIBE, which kyoto-redis does not have).
bool allowed_while_subscribed(const command_def& d) {
  auto h = d.handler;
  return h == cmd::ping || h == cmd::subscribe || h == cmd::unsubscribe || h == cmd::psubscribe ||
         h == cmd::punsubscribe || h == cmd::quit;
}

// Lookup without hashing: the commands bucketed by name length and first
// letter (a bucket holds one or two names).
constexpr std::size_t max_name = 16;
struct command_index {
  std::vector<const command_def*> buckets[max_name + 1][26];
  command_index() {
    for (const auto& d : table) buckets[d.name.size()][d.name[0] - 'a'].push_back(&d);
  }
};

const command_index& index() {
  static const command_index i;
  return i;
}

}  // namespace

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

void wrong_args(std::string& out, std::string_view fullname) {
  out.append("-ERR wrong number of arguments for '").append(fullname).append("' command\r\n");
}

std::span<const command_def> all_commands() { return table; }

const command_def* find_command(std::string_view name) {
  if (name.empty() || name.size() > max_name) return nullptr;
  char buf[max_name];
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buf[i] = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (buf[0] < 'a' || buf[0] > 'z') return nullptr;
  std::string_view lower(buf, name.size());
  for (const command_def* d : index().buckets[name.size()][buf[0] - 'a']) {
    if (d->name == lower) return d;
  }
  return nullptr;
}

void execute(command_context& cx) {
  const command_def* d = find_command(cx.argv[0]);
  if (d == nullptr) {
    // Redis's text: the name and the first arguments, each cut so that the
    // list stays near 128 bytes.
    std::string args;
    for (std::size_t i = 1; i < cx.argv.size() && args.size() < 128; ++i) {
      std::size_t room = 128 - args.size();
      args.append("'").append(cx.argv[i].substr(0, room)).append("' ");
    }
    reply::error(cx.out, "ERR unknown command '" + std::string(cx.argv[0].substr(0, 128)) +
                             "', with args beginning with: " + args);
    return;
  }
  auto argc = static_cast<int>(cx.argv.size());
  if ((d->arity > 0 && argc != d->arity) || argc < -d->arity) {
    wrong_args(cx.out, d->name);
    return;
  }
  if (cx.client.subscribed() && !allowed_while_subscribed(*d)) {
    reply::error(cx.out, "ERR Can't execute '" + std::string(d->name) +
                             "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                             "are allowed in this context");
    return;
  }
  d->handler(cx);
}

}  // namespace kyoto_redis
