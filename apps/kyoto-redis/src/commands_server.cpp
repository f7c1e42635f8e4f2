// Connection and server: PING ECHO SELECT QUIT SHUTDOWN CLIENT INFO
// COMMAND CONFIG.
#include <unistd.h>

#include "command_util.hpp"
#include "glob.hpp"

namespace kyoto_redis::cmd {

void ping(command_context& cx) {
  if (cx.argv.size() > 2) return wrong_args(cx.out, "ping");
  if (cx.client.subscribed()) {
    reply::array(cx.out, 2);
    reply::bulk(cx.out, "pong");
    reply::bulk(cx.out, cx.argv.size() == 2 ? cx.argv[1] : std::string_view());
    return;
  }
  if (cx.argv.size() == 2) return reply::bulk(cx.out, cx.argv[1]);
  cx.out.append("+PONG\r\n");
}

void echo(command_context& cx) { reply::bulk(cx.out, cx.argv[1]); }

void select(command_context& cx) {
  std::int64_t db = 0;
  if (!parse_int64(cx.argv[1], db) || db < INT32_MIN || db > INT32_MAX) {
    return reply::not_integer(cx.out);
  }
  if (db != 0) return reply::error(cx.out, "ERR DB index is out of range");
  reply::ok(cx.out);
}

void quit(command_context& cx) {
  reply::ok(cx.out);
  cx.client.close_after_reply = true;
}

void shutdown(command_context& cx) {
  for (std::size_t i = 1; i < cx.argv.size(); ++i) {
    auto a = cx.argv[i];
    if (!ieq(a, "nosave") && !ieq(a, "save") && !ieq(a, "now") && !ieq(a, "force")) {
      return reply::syntax_error(cx.out);
    }
  }
  // As Redis: no reply, the connection closes as the server stops.
  cx.client.close_after_reply = true;
  cx.server.stop.cancel();
}

namespace {

void unknown_subcommand(command_context& cx, std::string_view container) {
  std::string sub(cx.argv[1].substr(0, 128));
  reply::error(cx.out,
               "ERR unknown subcommand '" + sub + "'. Try " + std::string(container) + " HELP.");
}

void help_lines(command_context& cx, std::initializer_list<std::string_view> lines) {
  reply::array(cx.out, lines.size());
  for (auto l : lines) reply::simple(cx.out, l);
}

void client_line(command_context& cx, std::string& s) {
  s.append("id=").append(std::to_string(cx.client.id));
  s.append(" addr=").append(cx.client.addr);
  s.append(" name=").append(cx.client.name);
  s.append(" db=0 sub=").append(std::to_string(cx.client.channels.size()));
  s.append(" psub=").append(std::to_string(cx.client.patterns.size()));
  s.append(" cmd=client|info\n");
}

}  // namespace

void client(command_context& cx) {
  auto sub = cx.argv[1];
  auto n = cx.argv.size();
  if (ieq(sub, "setname")) {
    if (n != 3) return wrong_args(cx.out, "client|setname");
    for (char c : cx.argv[2]) {
      if (c < '!' || c > '~') {
        return reply::error(
            cx.out, "ERR Client names cannot contain spaces, newlines or special characters.");
      }
    }
    cx.client.name.assign(cx.argv[2]);
    return reply::ok(cx.out);
  }
  if (ieq(sub, "getname")) {
    if (n != 2) return wrong_args(cx.out, "client|getname");
    if (cx.client.name.empty()) return reply::null_bulk(cx.out);
    return reply::bulk(cx.out, cx.client.name);
  }
  if (ieq(sub, "id")) {
    if (n != 2) return wrong_args(cx.out, "client|id");
    return reply::integer(cx.out, static_cast<std::int64_t>(cx.client.id));
  }
  if (ieq(sub, "info")) {
    if (n != 2) return wrong_args(cx.out, "client|info");
    std::string s;
    client_line(cx, s);
    return reply::bulk(cx.out, s);
  }
  if (ieq(sub, "help")) {
    return help_lines(
        cx,
        {"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GETNAME",
         "    Return the name of the current connection.", "ID",
         "    Return the ID of the current connection.", "INFO",
         "    Return information about the current client connection.", "SETNAME <name>",
         "    Assign the name <name> to the current connection.", "HELP", "    Print this help."});
  }
  unknown_subcommand(cx, "CLIENT");
}

void info(command_context& cx) {
  auto& s = cx.server;
  auto want = [&](std::string_view section) {
    if (cx.argv.size() == 1) return true;
    for (std::size_t i = 1; i < cx.argv.size(); ++i) {
      if (ieq(cx.argv[i], section) || ieq(cx.argv[i], "all") || ieq(cx.argv[i], "everything") ||
          ieq(cx.argv[i], "default")) {
        return true;
      }
    }
    return false;
  };
  std::string text;
  auto line = [&](std::string_view k, const std::string& v) {
    text.append(k).append(":").append(v).append("\r\n");
  };
  auto section = [&](std::string_view title) {
    if (!text.empty()) text.append("\r\n");
    text.append("# ").append(title).append("\r\n");
  };
  std::int64_t uptime = (cx.now - s.started_at_ms) / 1000;
  if (want("server")) {
    section("Server");
    line("redis_version", "7.0.0");
    line("kyoto_redis_version", "0.1.0");
    line("redis_mode", "standalone");
    line("os", "Linux");
    line("arch_bits", "64");
    line("multiplexing_api", "epoll");
    line("process_id", std::to_string(::getpid()));
    line("tcp_port", std::to_string(s.bound_port));
    line("uptime_in_seconds", std::to_string(uptime));
    line("uptime_in_days", std::to_string(uptime / 86400));
    line("io_threads_active", "0");
    line("worker_threads", std::to_string(s.worker_threads));
  }
  if (want("clients")) {
    section("Clients");
    line("connected_clients", std::to_string(s.connected_clients.load()));
    line("maxclients", std::to_string(s.opts.maxclients));
    line("blocked_clients", "0");
    line("pubsub_clients", std::to_string(s.pubsub_clients.load()));
  }
  if (want("stats")) {
    section("Stats");
    line("total_connections_received", std::to_string(s.total_connections.load()));
    line("total_commands_processed", std::to_string(s.total_commands.load()));
    line("rejected_connections", std::to_string(s.rejected_connections.load()));
    line("expired_keys", std::to_string(s.expired_keys.load()));
    line("pubsub_channels", std::to_string(s.pubsub.channel_count()));
    line("pubsub_patterns", std::to_string(s.pubsub.pattern_count()));
  }
  if (want("keyspace")) {
    std::size_t keys = 0;
    std::size_t expires = 0;
    {
      auto locks = s.db.lock_all();
      for (std::size_t i = 0; i < s.db.shard_count(); ++i) {
        for (const auto& [k, e] : s.db.shard_at(i).map) {
          ++keys;
          expires += e.expires_at != 0 ? 1 : 0;
        }
      }
    }
    section("Keyspace");
    if (keys > 0) {
      line("db0",
           "keys=" + std::to_string(keys) + ",expires=" + std::to_string(expires) + ",avg_ttl=0");
    }
  }
  text.append("\r\n");
  reply::bulk(cx.out, text);
}

namespace {

void command_entry(std::string& out, const command_def& d) {
  reply::array(out, 10);
  reply::bulk(out, d.name);
  reply::integer(out, d.arity);
  std::vector<std::string_view> flags;
  if (d.flags & cmd_write) flags.push_back("write");
  if (d.flags & cmd_readonly) flags.push_back("readonly");
  if (d.flags & cmd_pubsub) flags.push_back("pubsub");
  if (d.flags & cmd_fast) flags.push_back("fast");
  if (d.flags & cmd_admin) flags.push_back("admin");
  reply::array(out, flags.size());
  for (auto f : flags) reply::simple(out, f);
  reply::integer(out, d.first_key);
  reply::integer(out, d.last_key);
  reply::integer(out, d.key_step);
  for (int i = 0; i < 4; ++i) reply::array(out, 0);  // ACL categories, tips, key specs, subcommands
}

}  // namespace

void command(command_context& cx) {
  auto all = all_commands();
  if (cx.argv.size() == 1) {
    reply::array(cx.out, all.size());
    for (const auto& d : all) command_entry(cx.out, d);
    return;
  }
  auto sub = cx.argv[1];
  if (ieq(sub, "count")) {
    if (cx.argv.size() != 2) return wrong_args(cx.out, "command|count");
    return reply::integer(cx.out, static_cast<std::int64_t>(all.size()));
  }
  if (ieq(sub, "docs")) {
    // No documentation: an empty reply, which redis-cli accepts (its own
    // help is used then).
    return reply::array(cx.out, 0);
  }
  if (ieq(sub, "list")) {
    reply::array(cx.out, all.size());
    for (const auto& d : all) reply::bulk(cx.out, d.name);
    return;
  }
  if (ieq(sub, "info")) {
    if (cx.argv.size() == 2) {
      reply::array(cx.out, all.size());
      for (const auto& d : all) command_entry(cx.out, d);
      return;
    }
    reply::array(cx.out, cx.argv.size() - 2);
    for (std::size_t i = 2; i < cx.argv.size(); ++i) {
      const command_def* d = find_command(cx.argv[i]);
      if (d == nullptr) {
        reply::null_array(cx.out);
      } else {
        command_entry(cx.out, *d);
      }
    }
    return;
  }
  if (ieq(sub, "help")) {
    return help_lines(
        cx, {"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "(no subcommand)",
             "    Return details about all commands.", "COUNT",
             "    Return the total number of commands in this server.", "LIST",
             "    Return a list of all commands in this server.", "INFO [<command-name> ...]",
             "    Return details about multiple commands.", "DOCS [<command-name> ...]",
             "    Return documentation details about multiple commands.", "HELP",
             "    Print this help."});
  }
  unknown_subcommand(cx, "COMMAND");
}

void config(command_context& cx) {
  auto sub = cx.argv[1];
  if (ieq(sub, "get")) {
    if (cx.argv.size() < 3) return wrong_args(cx.out, "config|get");
    auto& o = cx.server.opts;
    const std::pair<std::string, std::string> params[] = {
        {"bind", o.bind},
        {"port", std::to_string(cx.server.bound_port)},
        {"maxclients", std::to_string(o.maxclients)},
        {"proto-max-bulk-len", std::to_string(o.proto_max_bulk_len)},
        {"client-query-buffer-limit", std::to_string(o.query_buffer_limit)},
        {"client-output-buffer-limit",
         "normal 0 0 0 pubsub " + std::to_string(o.output_buffer_limit) + " 0 0"},
        {"databases", "1"},
        {"save", ""},
        {"appendonly", "no"},
        {"timeout", "0"},
        {"io-threads", std::to_string(cx.server.worker_threads)},
    };
    std::string body;
    std::size_t n = 0;
    for (const auto& [k, v] : params) {
      bool match = false;
      for (std::size_t i = 2; i < cx.argv.size() && !match; ++i) {
        match = glob_match(lowercase(cx.argv[i]), k);
      }
      if (!match) continue;
      reply::bulk(body, k);
      reply::bulk(body, v);
      n += 2;
    }
    reply::array(cx.out, n);
    cx.out.append(body);
    return;
  }
  if (ieq(sub, "set")) {
    if (cx.argv.size() < 4 || cx.argv.size() % 2 == 1) return wrong_args(cx.out, "config|set");
    return reply::error(cx.out, "ERR Unknown option or number of arguments for CONFIG SET - '" +
                                    std::string(cx.argv[2]) + "'");
  }
  if (ieq(sub, "resetstat")) {
    if (cx.argv.size() != 2) return wrong_args(cx.out, "config|resetstat");
    return reply::ok(cx.out);
  }
  unknown_subcommand(cx, "CONFIG");
}

}  // namespace kyoto_redis::cmd
