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

/// Spawns the future fn(args...) and keeps fn and the arguments (decayed
/// copies, as std::thread makes them) alive in the task until it finishes:
/// the safe way to spawn a coroutine lambda that has captures.
///   kyoto::spawn([tx = std::move(tx)]() mutable -> kyoto::task<> {
///     co_await kyoto::sleep(10ms);
///     co_await tx.send(1);              // the capture is still alive
///   });
///   kyoto::spawn(serve, std::move(listener), config);  // serve(listener, const config&)
/// Never spawn `[x]() -> task<> {...}()`: the closure, and x with it, is
/// destroyed at the end of the statement while the task still runs.
/// fn is called when the task first runs; a type that is a future and
/// also callable is spawned as a future.
template <class Fn, class... Args>
requires(!future<Fn> && detail::future_factory<Fn, Args...>)
auto spawn(Fn&& fn, Args&&... args) {
  return kyoto::spawn(detail::make_call_owned(std::forward<Fn>(fn), std::forward<Args>(args)...));
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
