// kyoto::spawn and kyoto::spawn_blocking on the current runtime.
#pragma once

#include <type_traits>
#include <utility>

#include "kyoto/runtime/runtime.hpp"

namespace kyoto {

/// Spawns `f` on the current runtime (from a task or inside block_on):
///   auto h = kyoto::spawn(handle_client(std::move(stream)));
/// Throws std::runtime_error outside a runtime. The task starts running
/// even if the handle is never awaited; dropping the handle detaches it.
template <future F>
join_handle<output_of<F>> spawn(F&& f) {
  return detail::spawn_on(detail::current_scheduler_or_throw(), std::forward<F>(f));
}

/// Runs `fn()` on the current runtime's blocking pool:
///   auto h = kyoto::spawn_blocking([] { return std::filesystem::file_size(p); });
///   auto size = co_await h;
template <class Fn>
auto spawn_blocking(Fn&& fn) {
  auto* core = detail::current_runtime();
  if (!core) (void)detail::current_runtime_shared();  // throws with a message
  return detail::spawn_blocking_on(core->blocking_scheduler(), std::forward<Fn>(fn));
}

}  // namespace kyoto
