// The per-thread slots of a coroutine chain's poll (promise.hpp),
// defined here, out of line, where code inlined into a coroutine must not
// see them (KYOTO_DETAIL_OUT_OF_LINE_TLS).
#include "kyoto/detail/task/promise.hpp"

#include <coroutine>
#include <exception>
#include <utility>

namespace kyoto::detail {
namespace {
#if KYOTO_DETAIL_OUT_OF_LINE_TLS
constinit thread_local promise_base* current_root = nullptr;
#endif
thread_local std::exception_ptr pending_poll_error;
}  // namespace

#if KYOTO_DETAIL_OUT_OF_LINE_TLS
promise_base*& promise_base::current_root_slot() noexcept { return current_root; }
#endif

void destroy_coroutine_out_of_line(void* frame) noexcept {
  std::coroutine_handle<>::from_address(frame).destroy();
}

void stash_poll_error(std::exception_ptr e) noexcept { pending_poll_error = std::move(e); }
std::exception_ptr take_poll_error() noexcept { return std::exchange(pending_poll_error, nullptr); }

}  // namespace kyoto::detail
