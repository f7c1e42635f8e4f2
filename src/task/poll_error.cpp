// The per-thread slot of stash_poll_error (promise_base.hpp).
#include <exception>
#include <utility>

#include "kyoto/detail/promise_base.hpp"

namespace kyoto::detail {
namespace {
thread_local std::exception_ptr pending_poll_error;
}  // namespace

void stash_poll_error(std::exception_ptr e) noexcept { pending_poll_error = std::move(e); }
std::exception_ptr take_poll_error() noexcept { return std::exchange(pending_poll_error, nullptr); }

}  // namespace kyoto::detail
