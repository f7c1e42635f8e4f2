#include "resp_parser.hpp"

#include <cstring>

namespace kyoto_redis {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool parse_int64(std::string_view s, std::int64_t& out) {
  // At most 20 characters: "-9223372036854775808".
  if (s.empty() || s.size() > 20) return false;
  if (s.size() == 1 && s[0] == '0') {
    out = 0;
    return true;
  }
  std::size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == s.size()) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    auto d = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  constexpr std::uint64_t max_positive = static_cast<std::uint64_t>(INT64_MAX);
  if (negative) {
    if (v > max_positive + 1) return false;
    out = v == max_positive + 1 ? INT64_MIN : -static_cast<std::int64_t>(v);
  } else {
    if (v > max_positive) return false;
    out = static_cast<std::int64_t>(v);
  }
  return true;
}

bool split_inline_args(std::string_view line, std::vector<std::string>& out) {
  // The line is read like a C string: a NUL byte ends it.
  if (auto nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
  const char* p = line.data();
  const char* end = p + line.size();
  auto at = [&](const char* q) { return q < end ? *q : '\0'; };
  for (;;) {
    while (p < end && is_space(*p)) ++p;
    if (p == end) return true;
    std::string current;
    bool in_double = false;
    bool in_single = false;
    for (bool done = false; !done;) {
      char c = at(p);
      if (in_double) {
        if (c == '\\' && at(p + 1) == 'x' && hex_value(at(p + 2)) >= 0 &&
            hex_value(at(p + 3)) >= 0) {
          current.push_back(static_cast<char>(hex_value(at(p + 2)) * 16 + hex_value(at(p + 3))));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          switch (*p) {
            case 'n':
              current.push_back('\n');
              break;
            case 'r':
              current.push_back('\r');
              break;
            case 't':
              current.push_back('\t');
              break;
            case 'b':
              current.push_back('\b');
              break;
            case 'a':
              current.push_back('\a');
              break;
            default:
              current.push_back(*p);
              break;
          }
        } else if (c == '"') {
          // A closing quote must be followed by a space or the end.
          if (at(p + 1) != '\0' && !is_space(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;  // unterminated quotes
        } else {
          current.push_back(c);
        }
      } else if (in_single) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          current.push_back('\'');
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !is_space(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          current.push_back(c);
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            current.push_back(c);
            break;
        }
      }
      if (p < end) ++p;
    }
    out.push_back(std::move(current));
  }
}

void request_parser::reset() {
  in_multibulk_ = false;
  remaining_ = 0;
  bulk_len_ = -1;
  scan_ = 0;
  spans_.clear();
  needed_ = 0;
}

parse_status request_parser::fail(std::string message) {
  error_ = "Protocol error: " + std::move(message);
  args_.clear();
  reset();
  return parse_status::error;
}

parse_status request_parser::parse(std::string_view in) {
  args_.clear();
  consumed_ = 0;
  if (!in_multibulk_) {
    if (in.empty()) return parse_status::incomplete;
    if (in[0] != '*') return parse_inline(in);
  }
  return parse_multibulk(in);
}

parse_status request_parser::parse_inline(std::string_view in) {
  auto newline = in.find('\n');
  if (newline == std::string_view::npos) {
    if (in.size() > limits_.max_inline_len) return fail("too big inline request");
    return parse_status::incomplete;
  }
  std::size_t line_len = newline;
  if (line_len > 0 && in[line_len - 1] == '\r') --line_len;
  inline_args_.clear();
  if (!split_inline_args(in.substr(0, line_len), inline_args_)) {
    return fail("unbalanced quotes in request");
  }
  args_.assign(inline_args_.begin(), inline_args_.end());
  consumed_ = newline + 1;
  return parse_status::command;
}

parse_status request_parser::parse_multibulk(std::string_view in) {
  if (!in_multibulk_) {
    // "*<count>\r\n"
    auto cr = in.find('\r');
    if (cr == std::string_view::npos) {
      if (in.size() > limits_.max_inline_len) return fail("too big mbulk count string");
      return parse_status::incomplete;
    }
    if (cr + 2 > in.size()) return parse_status::incomplete;  // the '\n' is not there yet
    std::int64_t count = 0;
    if (!parse_int64(in.substr(1, cr - 1), count) || count > limits_.max_multibulk_len) {
      return fail("invalid multibulk length");
    }
    scan_ = cr + 2;
    if (count <= 0) {  // "*0" and "*-1": no command
      consumed_ = scan_;
      reset();
      return parse_status::command;
    }
    in_multibulk_ = true;
    remaining_ = count;
    spans_.reserve(static_cast<std::size_t>(count < 1024 ? count : 1024));
  }
  while (remaining_ > 0) {
    if (bulk_len_ < 0) {
      // "$<len>\r\n"
      std::string_view rest = in.substr(scan_);
      auto cr = rest.find('\r');
      if (cr == std::string_view::npos) {
        if (rest.size() > limits_.max_inline_len) return fail("too big bulk count string");
        needed_ = 0;
        return parse_status::incomplete;
      }
      if (cr + 2 > rest.size()) {
        needed_ = 0;
        return parse_status::incomplete;
      }
      if (rest[0] != '$') return fail(std::string("expected '$', got '") + rest[0] + "'");
      std::int64_t len = 0;
      if (!parse_int64(rest.substr(1, cr - 1), len) || len < 0 || len > limits_.max_bulk_len) {
        return fail("invalid bulk length");
      }
      bulk_len_ = len;
      scan_ += cr + 2;
    }
    // The bulk and its CRLF. As Redis, the two bytes after the bulk are
    // skipped without being looked at.
    auto len = static_cast<std::size_t>(bulk_len_);
    if (in.size() - scan_ < len + 2) {
      needed_ = scan_ + len + 2;
      return parse_status::incomplete;
    }
    spans_.push_back({scan_, len});
    scan_ += len + 2;
    bulk_len_ = -1;
    --remaining_;
  }
  args_.reserve(spans_.size());
  for (const auto& s : spans_) args_.emplace_back(in.data() + s.offset, s.length);
  consumed_ = scan_;
  reset();
  return parse_status::command;
}

}  // namespace kyoto_redis
