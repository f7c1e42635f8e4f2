// W12: RESP (Redis protocol) server with Boost.Asio coroutines: PING, SET, GET
// (+ ECHO, DEL, CONFIG GET, COMMAND stubs), pipelined and inline commands.
// Usage: asio-resp <port>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server_common.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using bench_server::use_nothrow;

namespace {

constexpr std::size_t max_request = 64 * 1024 * 1024;

struct store {
  std::mutex mutex;
  std::unordered_map<std::string, std::string> map;
};
store g_store;

bool parse_int(std::string_view s, long long& out) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = neg ? -v : v;
  return true;
}

std::size_t find_crlf(std::string_view buf, std::size_t from) {
  for (;;) {
    std::size_t at = buf.find('\r', from);
    if (at == std::string_view::npos || at + 1 >= buf.size()) return std::string_view::npos;
    if (buf[at + 1] == '\n') return at;
    from = at + 1;
  }
}

enum class parse_status { complete, incomplete, invalid };

// Parses one command at the start of `buf` into `args`; sets `used` to its size.
parse_status parse(std::string_view buf, std::vector<std::string_view>& args, std::size_t& used) {
  args.clear();
  if (buf.empty()) return parse_status::incomplete;
  if (buf[0] == '*') {
    std::size_t end = find_crlf(buf, 1);
    if (end == std::string_view::npos) return parse_status::incomplete;
    long long count;
    if (!parse_int(buf.substr(1, end - 1), count) || count < 0 || count > 1024 * 1024)
      return parse_status::invalid;
    std::size_t pos = end + 2;
    for (long long i = 0; i < count; ++i) {
      if (pos >= buf.size()) return parse_status::incomplete;
      if (buf[pos] != '$') return parse_status::invalid;
      std::size_t e = find_crlf(buf, pos + 1);
      if (e == std::string_view::npos) return parse_status::incomplete;
      long long len;
      if (!parse_int(buf.substr(pos + 1, e - pos - 1), len) || len < 0 ||
          std::size_t(len) > max_request)
        return parse_status::invalid;
      std::size_t start = e + 2, data_end = start + std::size_t(len);
      if (data_end + 2 > buf.size()) return parse_status::incomplete;
      if (buf[data_end] != '\r' || buf[data_end + 1] != '\n') return parse_status::invalid;
      args.push_back(buf.substr(start, std::size_t(len)));
      pos = data_end + 2;
    }
    used = pos;
    return parse_status::complete;
  }
  // Inline command: one line of space-separated words.
  std::size_t nl = buf.find('\n');
  if (nl == std::string_view::npos) return parse_status::incomplete;
  std::size_t line_end = (nl > 0 && buf[nl - 1] == '\r') ? nl - 1 : nl;
  std::size_t i = 0;
  while (i < line_end) {
    while (i < line_end && buf[i] == ' ') ++i;
    std::size_t start = i;
    while (i < line_end && buf[i] != ' ') ++i;
    if (i > start) args.push_back(buf.substr(start, i - start));
  }
  used = nl + 1;
  return parse_status::complete;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;  // ASCII letters only
  return true;
}

void bulk(std::string& out, std::string_view data) {
  out += '$';
  out += std::to_string(data.size());
  out += "\r\n";
  out += data;
  out += "\r\n";
}

void execute(const std::vector<std::string_view>& args, std::string& out) {
  if (args.empty()) return;
  std::string_view cmd = args[0];
  std::size_t n = args.size();
  if (iequals(cmd, "PING")) {
    if (n == 1)
      out += "+PONG\r\n";
    else if (n == 2)
      bulk(out, args[1]);
    else
      out += "-ERR wrong number of arguments for 'ping' command\r\n";
  } else if (iequals(cmd, "SET")) {
    if (n != 3) {
      out += "-ERR wrong number of arguments for 'set' command\r\n";
      return;
    }
    {
      std::lock_guard lock(g_store.mutex);
      g_store.map.insert_or_assign(std::string(args[1]), std::string(args[2]));
    }
    out += "+OK\r\n";
  } else if (iequals(cmd, "GET")) {
    if (n != 2) {
      out += "-ERR wrong number of arguments for 'get' command\r\n";
      return;
    }
    std::lock_guard lock(g_store.mutex);
    auto it = g_store.map.find(std::string(args[1]));
    if (it == g_store.map.end())
      out += "$-1\r\n";
    else
      bulk(out, it->second);
  } else if (iequals(cmd, "DEL")) {
    std::size_t removed = 0;
    std::lock_guard lock(g_store.mutex);
    for (std::size_t i = 1; i < n; ++i) removed += g_store.map.erase(std::string(args[i]));
    out += ':' + std::to_string(removed) + "\r\n";
  } else if (iequals(cmd, "ECHO") && n == 2) {
    bulk(out, args[1]);
  } else if (iequals(cmd, "CONFIG") && n == 3 && iequals(args[1], "GET")) {
    // redis-benchmark asks for "save" and "appendonly": answer empty values.
    out += "*2\r\n";
    bulk(out, args[2]);
    bulk(out, "");
  } else if (iequals(cmd, "COMMAND")) {
    out += "*0\r\n";
  } else {
    out += "-ERR unknown command\r\n";
  }
}

asio::awaitable<void> resp_session(tcp::socket socket) {
  std::string in, out;
  in.reserve(16 * 1024);
  out.reserve(16 * 1024);
  std::vector<std::string_view> args;
  args.reserve(8);
  std::size_t filled = 0;
  in.resize(16 * 1024);
  for (;;) {
    if (in.size() - filled < 4096) in.resize(in.size() * 2);
    auto [rec, n] = co_await socket.async_read_some(
        asio::buffer(in.data() + filled, in.size() - filled), use_nothrow);
    if (rec) co_return;
    filled += n;
    std::string_view view(in.data(), filled);
    std::size_t pos = 0;
    for (;;) {
      std::size_t used = 0;
      parse_status st = parse(view.substr(pos), args, used);
      if (st == parse_status::incomplete) break;
      if (st == parse_status::invalid) {
        out += "-ERR Protocol error\r\n";
        co_await asio::async_write(socket, asio::buffer(out), use_nothrow);
        co_return;
      }
      execute(args, out);
      pos += used;
    }
    if (pos > 0) {
      std::memmove(in.data(), in.data() + pos, filled - pos);
      filled -= pos;
    }
    if (filled > max_request) co_return;
    if (!out.empty()) {
      auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(out), use_nothrow);
      if (wec) co_return;
      out.clear();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  return bench_server::serve(argc, argv, "asio-resp", resp_session);
}
