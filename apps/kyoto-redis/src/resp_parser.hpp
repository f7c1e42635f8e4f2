// The request side of RESP2: turns the bytes a client sent into commands.
//
// Two request forms, told apart by the first byte as Redis does:
//   multibulk  "*<n>\r\n" then n times "$<len>\r\n<len bytes>\r\n"
//   inline     one line of words ("PING\r\n", "set k \"a b\"\n"), what telnet
//              and redis-benchmark's PING_INLINE send; quotes as redis-cli's
//              (double quotes with \n \r \t \b \a \\ \" \xHH escapes, single
//              quotes with \' only).
//
// The parser is resumable: a command that arrives over several reads is
// parsed once, picking up where the previous call stopped, so a large or
// slow command costs linear time. It keeps offsets, not copies: the
// arguments of a multibulk command are views into the caller's buffer.
//
// Contract with the caller: `in` passed to parse() starts at the first byte
// not yet consumed. After `incomplete`, the caller keeps every byte of `in`
// and calls again with the same start and more bytes appended (the buffer
// may move, the offsets are relative). After `command` the views in args()
// stay valid until the caller changes the buffer or calls parse again; the
// caller then drops consumed() bytes. After `error` the connection is done:
// error() is the message to reply with, and nothing after it is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kyoto_redis {

struct parser_limits {
  // Largest bulk argument accepted ($<len> above it is a protocol error).
  std::int64_t max_bulk_len = 512LL * 1024 * 1024;
  // Largest argument count of a multibulk request.
  std::int64_t max_multibulk_len = 2147483647;  // INT_MAX, as Redis
  // An inline request, or a "*<n>" / "$<len>" header line, longer than this
  // without its newline is a protocol error.
  std::size_t max_inline_len = 64 * 1024;
};

enum class parse_status {
  command,     // args() holds one command (maybe empty: a blank line or "*0")
  incomplete,  // more bytes are needed
  error,       // protocol error: error() holds the reply text
};

class request_parser {
 public:
  explicit request_parser(parser_limits limits = {}) : limits_(limits) {}

  parse_status parse(std::string_view in);

  // The command parsed by the last call that returned `command`.
  const std::vector<std::string_view>& args() const { return args_; }
  // Bytes of `in` that command (or error) took.
  std::size_t consumed() const { return consumed_; }
  // "Protocol error: ..." after `error` (no "ERR " prefix, no CRLF).
  const std::string& error() const { return error_; }
  // Total bytes the pending command needs before it can complete, when the
  // parser knows (it has read a bulk header); 0 when it does not.
  std::size_t bytes_needed() const { return needed_; }

 private:
  parse_status parse_multibulk(std::string_view in);
  parse_status parse_inline(std::string_view in);
  parse_status fail(std::string message);
  void reset();

  struct span {
    std::size_t offset;
    std::size_t length;
  };

  parser_limits limits_;
  // Resumable multibulk state, offsets relative to the start of `in`.
  bool in_multibulk_ = false;
  std::int64_t remaining_ = 0;  // arguments still to read
  std::int64_t bulk_len_ = -1;  // length of the bulk whose header was read, or -1
  std::size_t scan_ = 0;        // where the next element starts
  std::vector<span> spans_;     // arguments read so far

  std::vector<std::string_view> args_;
  std::vector<std::string> inline_args_;  // inline arguments are unescaped copies
  std::size_t consumed_ = 0;
  std::size_t needed_ = 0;
  std::string error_;
};

// Redis's strict integer syntax (util.c string2ll): an optional '-', no
// '+', no leading zeros, no spaces, within int64. Used for protocol
// lengths and for integer arguments (INCRBY, EXPIRE, ...).
bool parse_int64(std::string_view s, std::int64_t& out);

// Splits an inline request line into arguments as Redis's sdssplitargs
// does. False on unbalanced quotes.
bool split_inline_args(std::string_view line, std::vector<std::string>& out);

}  // namespace kyoto_redis
