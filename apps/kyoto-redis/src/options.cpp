#include "options.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "resp_parser.hpp"

namespace kyoto_redis {

namespace {

constexpr const char* usage_text =
    "Usage: kyoto-redis [options]\n"
    "A Redis-compatible in-memory server (RESP2) on kyoto.\n"
    "\n"
    "  --port N                 TCP port (default 6379)\n"
    "  --bind ADDR              address to listen on (default 127.0.0.1)\n"
    "  --maxclients N           connected clients at most (default 10000)\n"
    "  --threads N              worker threads (default: one per CPU)\n"
    "  --proto-max-bulk-len S   largest bulk argument (default 512mb)\n"
    "  --output-buffer-limit S  queued pub/sub output before a subscriber is\n"
    "                           disconnected (default 32mb)\n"
    "  --query-buffer-limit S   unparsed input per client (default 1gb)\n"
    "  --quiet                  no log lines but the first (\"ready on ...\")\n"
    "  --help                   this text\n"
    "Sizes take a kb, mb or gb suffix. Stop with Ctrl-C, SIGTERM or SHUTDOWN.\n";

}  // namespace

std::optional<std::int64_t> parse_size(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  std::int64_t n = 0;
  if (i == 0 || !parse_int64(std::string_view(s).substr(0, i), n)) return std::nullopt;
  std::string unit = s.substr(i);
  for (auto& c : unit) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  std::int64_t mult = 1;
  if (unit.empty() || unit == "b") {
    mult = 1;
  } else if (unit == "k" || unit == "kb") {
    mult = 1024;
  } else if (unit == "m" || unit == "mb") {
    mult = 1024 * 1024;
  } else if (unit == "g" || unit == "gb") {
    mult = 1024 * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  if (n > std::numeric_limits<std::int64_t>::max() / mult) return std::nullopt;
  return n * mult;
}

std::optional<options> parse_options(const std::vector<std::string>& args, int& exit_code) {
  options o;
  exit_code = 0;
  auto bad = [&](const std::string& msg) -> std::optional<options> {
    std::fprintf(stderr, "kyoto-redis: %s (see --help)\n", msg.c_str());
    exit_code = 2;
    return std::nullopt;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    bool has_inline_value = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_inline_value = true;
    }
    if (a == "--help" || a == "-h") {
      std::fputs(usage_text, stdout);
      exit_code = 0;
      return std::nullopt;
    }
    if (a == "--quiet") {
      o.quiet = true;
      continue;
    }
    auto known = {"--port",
                  "--bind",
                  "--maxclients",
                  "--threads",
                  "--proto-max-bulk-len",
                  "--output-buffer-limit",
                  "--query-buffer-limit"};
    bool is_known = false;
    for (const char* k : known) is_known = is_known || a == k;
    if (!is_known) return bad("unknown option '" + a + "'");
    if (!has_inline_value) {
      if (i + 1 >= args.size()) return bad(a + " needs a value");
      value = args[++i];
    }
    if (a == "--bind") {
      o.bind = value;
      continue;
    }
    auto n = parse_size(value);
    if (!n) return bad("bad value '" + value + "' for " + a);
    if (a == "--port") {
      if (*n < 0 || *n > 65535) return bad("port out of range: " + value);
      o.port = static_cast<std::uint16_t>(*n);
    } else if (a == "--maxclients") {
      if (*n < 1) return bad("--maxclients must be at least 1");
      o.maxclients = static_cast<std::size_t>(*n);
    } else if (a == "--threads") {
      if (*n < 1 || *n > 1024) return bad("--threads must be between 1 and 1024");
      o.threads = static_cast<std::size_t>(*n);
    } else if (a == "--proto-max-bulk-len") {
      if (*n < 1024 * 1024) return bad("--proto-max-bulk-len must be at least 1mb");
      o.proto_max_bulk_len = *n;
    } else if (a == "--output-buffer-limit") {
      o.output_buffer_limit = static_cast<std::size_t>(*n);
    } else if (a == "--query-buffer-limit") {
      if (*n < 1024 * 1024) return bad("--query-buffer-limit must be at least 1mb");
      o.query_buffer_limit = static_cast<std::size_t>(*n);
    }
  }
  return o;
}

}  // namespace kyoto_redis
