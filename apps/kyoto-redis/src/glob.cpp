#include "glob.hpp"

#include <cstddef>

namespace kyoto_redis {

namespace {

// Matches one pattern element (not a '*') at pattern[p] against c. Sets
// `next` to the index after the element.
bool match_element(std::string_view pattern, std::size_t p, char c, std::size_t& next) {
  std::size_t n = pattern.size();
  char pc = pattern[p];
  if (pc == '?') {
    next = p + 1;
    return true;
  }
  if (pc == '\\' && p + 1 < n) {
    next = p + 2;
    return pattern[p + 1] == c;
  }
  if (pc != '[') {
    next = p + 1;
    return pc == c;
  }
  ++p;
  bool negate = p < n && pattern[p] == '^';
  if (negate) ++p;
  bool matched = false;
  for (;;) {
    if (p >= n) break;  // an open class ends with the pattern
    if (pattern[p] == '\\' && p + 1 < n) {
      if (pattern[p + 1] == c) matched = true;
      p += 2;
    } else if (pattern[p] == ']') {
      ++p;
      break;
    } else if (p + 2 < n && pattern[p + 1] == '-') {
      auto lo = static_cast<unsigned char>(pattern[p]);
      auto hi = static_cast<unsigned char>(pattern[p + 2]);
      if (lo > hi) std::swap(lo, hi);
      auto uc = static_cast<unsigned char>(c);
      if (uc >= lo && uc <= hi) matched = true;
      p += 3;
    } else {
      if (pattern[p] == c) matched = true;
      ++p;
    }
  }
  next = p;
  return matched != negate;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matching with one backtrack point, the last '*': since '*'
  // is the only element of variable width, retrying from the latest star
  // is enough, and the cost stays O(pattern * text).
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star_p = std::string_view::npos;  // index after the last '*'
  std::size_t star_t = 0;                       // text index that star resumes at
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      if (p == pattern.size()) return true;
      star_p = p;
      star_t = t;
      continue;
    }
    std::size_t next = 0;
    if (p < pattern.size() && match_element(pattern, p, text[t], next)) {
      p = next;
      ++t;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace kyoto_redis
