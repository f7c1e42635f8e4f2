// The per-thread cooperative budget (coop.hpp), out of line with clang.
#include "kyoto/runtime/coop.hpp"

namespace kyoto::coop::detail {
#if KYOTO_DETAIL_OUT_OF_LINE_TLS
namespace {
constinit thread_local int current_budget = unlimited;
}  // namespace

int& budget() noexcept { return current_budget; }
#endif
}  // namespace kyoto::coop::detail
