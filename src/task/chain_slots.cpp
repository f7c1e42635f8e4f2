// The per-thread slots of a coroutine chain's poll (promise_base.hpp). They
// are defined here, out of line, on purpose: code inlined into a coroutine
// must not keep a thread-local's address across a suspension point.
#include <exception>
#include <utility>

#include "kyoto/detail/promise_base.hpp"

namespace kyoto::detail {
namespace {
constinit thread_local promise_base* current_root = nullptr;
thread_local std::exception_ptr pending_poll_error;
}  // namespace

promise_base*& promise_base::current_root_slot() noexcept { return current_root; }

void stash_poll_error(std::exception_ptr e) noexcept { pending_poll_error = std::move(e); }
std::exception_ptr take_poll_error() noexcept { return std::exchange(pending_poll_error, nullptr); }

}  // namespace kyoto::detail
