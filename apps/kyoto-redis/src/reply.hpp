// RESP2 replies, appended to a connection's output buffer.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace kyoto_redis::reply {

inline void append_int(std::string& out, std::int64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

inline void simple(std::string& out, std::string_view s) {
  out.push_back('+');
  out.append(s);
  out.append("\r\n");
}

inline void ok(std::string& out) { out.append("+OK\r\n"); }

// "-<message>\r\n"; a CR or LF inside the message becomes a space, as
// Redis does, so that the reply stays one line.
inline void error(std::string& out, std::string_view message) {
  out.push_back('-');
  for (char c : message) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  out.append("\r\n");
}

inline void integer(std::string& out, std::int64_t n) {
  out.push_back(':');
  append_int(out, n);
  out.append("\r\n");
}

inline void bulk(std::string& out, std::string_view s) {
  out.push_back('$');
  append_int(out, static_cast<std::int64_t>(s.size()));
  out.append("\r\n");
  out.append(s);
  out.append("\r\n");
}

inline void null_bulk(std::string& out) { out.append("$-1\r\n"); }
inline void null_array(std::string& out) { out.append("*-1\r\n"); }

inline void array(std::string& out, std::size_t n) {
  out.push_back('*');
  append_int(out, static_cast<std::int64_t>(n));
  out.append("\r\n");
}

// The errors every command shares, byte for byte Redis 7.0's.
inline void wrong_type(std::string& out) {
  out.append("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}
inline void not_integer(std::string& out) {
  out.append("-ERR value is not an integer or out of range\r\n");
}
inline void syntax_error(std::string& out) { out.append("-ERR syntax error\r\n"); }

}  // namespace kyoto_redis::reply
