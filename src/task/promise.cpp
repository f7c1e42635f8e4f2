// The per-thread slots of a coroutine chain's poll (promise.hpp),
// defined here, out of line, where code inlined into a coroutine must not
// see them (KYOTO_DETAIL_OUT_OF_LINE_TLS).
#include "kyoto/detail/task/promise.hpp"

#include <coroutine>
#include <cstdio>
#include <cstdlib>
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

void report_miscompiled_frame() noexcept {
  std::fputs(
      "kyoto: g++ 12 miscompiled a coroutine: it has no local variable and a co_await in the\n"
      "condition of an if, while, for or switch, and resuming it would skip its body.\n"
      "Work around it by naming the awaited value first, e.g.\n"
      "  for (;;) { auto r = co_await f(); if (!r) break; ... }\n"
      "    instead of   while (co_await f()) ...\n"
      "  auto ok = co_await f(); if (!ok) ...\n"
      "    instead of   if (!co_await f()) ...\n"
      "(see \"Known compiler traps\" in kyoto's README)\n",
      stderr);
  std::abort();
}

void stash_poll_error(std::exception_ptr e) noexcept { pending_poll_error = std::move(e); }
std::exception_ptr take_poll_error() noexcept { return std::exchange(pending_poll_error, nullptr); }

}  // namespace kyoto::detail
