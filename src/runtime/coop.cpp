// The per-thread cooperative budget (coop.hpp), out of line on purpose.
#include "kyoto/runtime/coop.hpp"

namespace kyoto::coop::detail {
namespace {
constinit thread_local int current_budget = unlimited;
}  // namespace

int& budget() noexcept { return current_budget; }

}  // namespace kyoto::coop::detail
