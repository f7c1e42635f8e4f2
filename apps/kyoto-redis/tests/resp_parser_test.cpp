// The RESP2 request parser: multibulk and inline requests, requests split
// across reads at every byte, pipelines, the limits and Redis's protocol
// error texts.
#include "resp_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using kyoto_redis::parse_status;
using kyoto_redis::request_parser;

using argv = std::vector<std::string>;

argv to_vec(const std::vector<std::string_view>& v) { return argv(v.begin(), v.end()); }

// Parses every command of `input` fed at once; an error ends the list with
// "ERROR:<message>".
std::vector<argv> parse_all(std::string_view input, kyoto_redis::parser_limits limits = {}) {
  request_parser p(limits);
  std::vector<argv> out;
  for (;;) {
    auto st = p.parse(input);
    if (st == parse_status::incomplete) break;
    if (st == parse_status::error) {
      out.push_back({"ERROR:" + p.error()});
      break;
    }
    out.push_back(to_vec(p.args()));
    input.remove_prefix(p.consumed());
  }
  return out;
}

// The same, with the bytes arriving in chunks of `chunk` (a buffer that
// keeps the unconsumed bytes, as a connection does).
std::vector<argv> parse_chunked(std::string_view input, std::size_t chunk) {
  request_parser p;
  std::vector<argv> out;
  std::string buf;
  std::size_t fed = 0;
  while (fed < input.size()) {
    buf.append(input.substr(fed, chunk));
    fed += chunk;
    for (;;) {
      auto st = p.parse(buf);
      if (st == parse_status::incomplete) break;
      if (st == parse_status::error) {
        out.push_back({"ERROR:" + p.error()});
        return out;
      }
      out.push_back(to_vec(p.args()));
      buf.erase(0, p.consumed());
    }
  }
  return out;
}

TEST(RespParser, MultibulkCommand) {
  EXPECT_EQ(parse_all("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"),
            (std::vector<argv>{{"SET", "key", "value"}}));
}

TEST(RespParser, IncompleteMultibulkWaits) {
  request_parser p;
  EXPECT_EQ(p.parse("*2\r\n$4\r\nECHO\r\n$5\r\nhel"), parse_status::incomplete);
  EXPECT_EQ(p.bytes_needed(), 25u);
  EXPECT_EQ(p.parse("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n"), parse_status::command);
  EXPECT_EQ(to_vec(p.args()), (argv{"ECHO", "hello"}));
  EXPECT_EQ(p.consumed(), 25u);
}

TEST(RespParser, PipelineOfManyCommandsInOneBuffer) {
  std::string in;
  for (int i = 0; i < 100; ++i) in += "*1\r\n$4\r\nPING\r\n";
  in += "PING\r\n";
  auto cmds = parse_all(in);
  ASSERT_EQ(cmds.size(), 101u);
  for (const auto& c : cmds) EXPECT_EQ(c, argv{"PING"});
}

TEST(RespParser, EveryChunkSizeGivesTheSameCommands) {
  std::string in =
      "*3\r\n$3\r\nSET\r\n$4\r\nk\r\n1\r\n$0\r\n\r\nGET k\r\n"
      "*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\nset \"a b\" 'c d'\n*0\r\n*-1\r\n\r\n";
  auto whole = parse_all(in);
  ASSERT_EQ(whole.size(), 7u);
  EXPECT_EQ(whole[0], (argv{"SET", std::string("k\r\n1"), ""}));
  EXPECT_EQ(whole[1], (argv{"GET", "k"}));
  EXPECT_EQ(whole[3], (argv{"set", "a b", "c d"}));
  EXPECT_TRUE(whole[4].empty());
  EXPECT_TRUE(whole[5].empty());
  EXPECT_TRUE(whole[6].empty());
  for (std::size_t chunk = 1; chunk <= in.size(); ++chunk) {
    EXPECT_EQ(parse_chunked(in, chunk), whole) << "chunk " << chunk;
  }
}

TEST(RespParser, BinarySafeBulk) {
  std::string value("a\0b\r\nc\xff", 7);
  std::string in = "*2\r\n$4\r\nECHO\r\n$7\r\n" + value + "\r\n";
  auto cmds = parse_all(in);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0][1], value);
}

TEST(RespParser, InlineQuotesAndEscapes) {
  EXPECT_EQ(parse_all("set k \"a\\x41\\n\\\"q\"  'it\\'s'\r\n"),
            (std::vector<argv>{{"set", "k", "aA\n\"q", "it's"}}));
  EXPECT_EQ(parse_all("  PING   \n"), (std::vector<argv>{{"PING"}}));
}

TEST(RespParser, InlineUnbalancedQuotesIsAnError) {
  EXPECT_EQ(parse_all("set k \"abc\r\n"),
            (std::vector<argv>{{"ERROR:Protocol error: unbalanced quotes in request"}}));
  EXPECT_EQ(parse_all("set k \"abc\"def\r\n"),
            (std::vector<argv>{{"ERROR:Protocol error: unbalanced quotes in request"}}));
}

TEST(RespParser, InvalidMultibulkLength) {
  EXPECT_EQ(parse_all("*abc\r\n"),
            (std::vector<argv>{{"ERROR:Protocol error: invalid multibulk length"}}));
  EXPECT_EQ(parse_all("*3000000000\r\n"),
            (std::vector<argv>{{"ERROR:Protocol error: invalid multibulk length"}}));
}

TEST(RespParser, MultibulkCountOverTheLimit) {
  kyoto_redis::parser_limits limits;
  limits.max_multibulk_len = 10;
  EXPECT_EQ(parse_all("*11\r\n", limits),
            (std::vector<argv>{{"ERROR:Protocol error: invalid multibulk length"}}));
  EXPECT_EQ(parse_all("*1\r\n$4\r\nPING\r\n", limits), (std::vector<argv>{{"PING"}}));
}

TEST(RespParser, BulkLengthOverTheLimit) {
  kyoto_redis::parser_limits limits;
  limits.max_bulk_len = 16;
  EXPECT_EQ(parse_all("*1\r\n$17\r\n", limits),
            (std::vector<argv>{{"ERROR:Protocol error: invalid bulk length"}}));
  EXPECT_EQ(parse_all("*1\r\n$-1\r\n"),
            (std::vector<argv>{{"ERROR:Protocol error: invalid bulk length"}}));
  // The default limit is Redis's 512 MiB.
  EXPECT_EQ(parse_all("*1\r\n$536870913\r\n"),
            (std::vector<argv>{{"ERROR:Protocol error: invalid bulk length"}}));
  request_parser p;
  EXPECT_EQ(p.parse("*1\r\n$536870912\r\n"), parse_status::incomplete);
}

TEST(RespParser, ExpectedDollar) {
  EXPECT_EQ(parse_all("*1\r\n+PING\r\n"),
            (std::vector<argv>{{"ERROR:Protocol error: expected '$', got '+'"}}));
}

TEST(RespParser, CommandsBeforeAnErrorAreKept) {
  EXPECT_EQ(parse_all("PING\r\n*1\r\n:1\r\n"),
            (std::vector<argv>{{"PING"}, {"ERROR:Protocol error: expected '$', got ':'"}}));
}

TEST(RespParser, TooBigInlineRequest) {
  std::string in(64 * 1024 + 1, 'a');
  EXPECT_EQ(parse_all(in), (std::vector<argv>{{"ERROR:Protocol error: too big inline request"}}));
  EXPECT_TRUE(parse_all(std::string(64 * 1024, 'a')).empty());  // still waiting for '\n'
}

TEST(RespParser, TooBigCountStrings) {
  EXPECT_EQ(parse_all("*" + std::string(64 * 1024 + 1, '1')),
            (std::vector<argv>{{"ERROR:Protocol error: too big mbulk count string"}}));
  EXPECT_EQ(parse_all("*1\r\n$" + std::string(64 * 1024 + 1, '1')),
            (std::vector<argv>{{"ERROR:Protocol error: too big bulk count string"}}));
}

TEST(RespParser, NegativeOrLeadingZeroLengthsAreInvalid) {
  EXPECT_EQ(parse_all("*1\r\n$01\r\na\r\n"),
            (std::vector<argv>{{"ERROR:Protocol error: invalid bulk length"}}));
  EXPECT_EQ(parse_all("*+1\r\n"),
            (std::vector<argv>{{"ERROR:Protocol error: invalid multibulk length"}}));
}

TEST(ParseInt64, RedisSyntax) {
  std::int64_t v = 0;
  EXPECT_TRUE(kyoto_redis::parse_int64("0", v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(kyoto_redis::parse_int64("-42", v));
  EXPECT_EQ(v, -42);
  EXPECT_TRUE(kyoto_redis::parse_int64("9223372036854775807", v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(kyoto_redis::parse_int64("-9223372036854775808", v));
  EXPECT_EQ(v, INT64_MIN);
  for (const char* bad : {"", "-", "-0", "+1", "01", " 1", "1 ", "1a", "9223372036854775808",
                          "-9223372036854775809", "99999999999999999999", "1.5"}) {
    EXPECT_FALSE(kyoto_redis::parse_int64(bad, v)) << bad;
  }
}

}  // namespace
