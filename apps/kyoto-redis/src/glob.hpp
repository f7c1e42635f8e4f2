// Redis's glob patterns (KEYS, PSUBSCRIBE, CONFIG GET): `*` any run of
// bytes, `?` one byte, `[abc]` `[a-c]` `[^a]` a class (a class left open
// at the end of the pattern closes there), `\x` the byte x itself.
#pragma once

#include <string_view>

namespace kyoto_redis {

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace kyoto_redis
