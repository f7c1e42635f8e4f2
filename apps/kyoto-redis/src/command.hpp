// The command table: each command's name, arity and handler, and the
// dispatcher that applies Redis's checks (unknown command, arity, the
// commands a subscribed connection may send) before calling a handler.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "server_state.hpp"

namespace kyoto_redis {

// What a command needs to subscribe: the connection makes its mailbox.
using make_subscriber_fn = std::shared_ptr<subscriber> (*)(void* connection);

struct command_context {
  server_state& server;
  client_state& client;
  std::span<const std::string_view> argv;
  std::string& out;
  std::int64_t now = 0;  // unix ms, read once per command
  // Called on the first subscription (the connection creates its receiver).
  make_subscriber_fn make_subscriber = nullptr;
  void* connection = nullptr;
};

using command_handler = void (*)(command_context&);

enum command_flags : std::uint32_t {
  cmd_write = 1,
  cmd_readonly = 2,
  cmd_pubsub = 4,  // allowed while subscribed
  cmd_fast = 8,
  cmd_admin = 16,
};

struct command_def {
  std::string_view name;  // lowercase
  int arity;              // > 0: exactly; < 0: at least -arity
  std::uint32_t flags;
  command_handler handler;
  int first_key;
  int last_key;
  int key_step;
};

// Case-insensitive lookup; nullptr if unknown.
const command_def* find_command(std::string_view name);
std::span<const command_def> all_commands();

// Runs one parsed command (argv non-empty), appending its reply.
void execute(command_context& cx);

// The handlers, grouped by file (commands_*.cpp).
namespace cmd {
// strings
void get(command_context&);
void set(command_context&);
void incr(command_context&);
void decr(command_context&);
void incrby(command_context&);
void decrby(command_context&);
void mget(command_context&);
void mset(command_context&);
void append(command_context&);
void strlen(command_context&);
// keys
void del(command_context&);
void exists(command_context&);
void expire(command_context&);
void pexpire(command_context&);
void ttl(command_context&);
void pttl(command_context&);
void persist(command_context&);
void keys(command_context&);
void scan(command_context&);
void dbsize(command_context&);
void flushdb(command_context&);
void type(command_context&);
// lists
void lpush(command_context&);
void rpush(command_context&);
void lpop(command_context&);
void rpop(command_context&);
void llen(command_context&);
void lrange(command_context&);
void lindex(command_context&);
// hashes
void hset(command_context&);
void hget(command_context&);
void hdel(command_context&);
void hgetall(command_context&);
void hlen(command_context&);
void hincrby(command_context&);
// sets
void sadd(command_context&);
void srem(command_context&);
void smembers(command_context&);
void sismember(command_context&);
void scard(command_context&);
void spop(command_context&);
// pub/sub
void publish(command_context&);
void subscribe(command_context&);
void unsubscribe(command_context&);
void psubscribe(command_context&);
void punsubscribe(command_context&);
// connection and server
void ping(command_context&);
void echo(command_context&);
void select(command_context&);
void quit(command_context&);
void shutdown(command_context&);
void client(command_context&);
void info(command_context&);
void command(command_context&);
void config(command_context&);
}  // namespace cmd

// Shared by the handlers.
std::string lowercase(std::string_view s);
void wrong_args(std::string& out, std::string_view fullname);

}  // namespace kyoto_redis
