// The one seam where the file system layer hands an operation to the OS.
//
// Every fs operation is a job: a move-only callable that makes the
// blocking system calls and returns an io::result. submit(job) starts it
// and gives a handle whose poll yields the job's output; run(job) is the
// same as a future whose output is the io::result itself (a job the pool
// dropped, at runtime shutdown, is std::errc::operation_canceled).
//
// Today a job runs on the current runtime's blocking pool
// (kyoto::spawn_blocking). An io_uring backend would replace these two
// functions: a job would become a submission (an SQE for read, write,
// openat, statx, fsync, ...) whose completion wakes the handle, the rest of
// src/fs staying as it is. The file's state machine (file_state.hpp) only
// ever talks to a handle: it never assumes a thread.
#pragma once

#include <exception>
#include <system_error>
#include <type_traits>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/io/result.hpp"
#include "kyoto/runtime/join_handle.hpp"
#include "kyoto/runtime/spawn.hpp"

namespace kyoto::fs::detail {

template <class T>
using job_handle = join_handle<T>;

/// Starts a job; throws std::runtime_error outside a runtime.
template <class Fn>
job_handle<std::invoke_result_t<std::decay_t<Fn>&>> submit(Fn&& job) {
  return kyoto::spawn_blocking(std::forward<Fn>(job));
}

/// What a handle's failure means to the caller: a job the pool cancelled
/// is operation_canceled; a job that threw rethrows here (in the awaiting
/// task, never on a worker's stack outside a task).
inline std::error_code join_failure(const join_error& e) {
  if (e.is_panic()) std::rethrow_exception(e.exception());
  return std::make_error_code(std::errc::operation_canceled);
}

/// A submitted job whose output is io::result<T>, as a future of that io::result.
template <class T>
class [[nodiscard]] job_future {
 public:
  using output_type = io::result<T>;
  explicit job_future(job_handle<io::result<T>> h) noexcept : h_(std::move(h)) {}
  poll_result<output_type> poll(context& cx) {
    auto p = h_.poll(cx);
    if (p.is_pending()) return pending;
    auto joined = std::move(p).value();
    if (!joined) return output_type(kyoto::err(join_failure(joined.error())));
    return std::move(*joined);
  }

 private:
  job_handle<io::result<T>> h_;
};

/// submit(job) as a future of the job's io::result. Name the job before
/// co_await (g++ 12 destroys a closure's captures twice when the closure
/// is a temporary of the co_await expression):
///   auto job = [p = std::move(p)] { ... };
///   co_return co_await detail::run(std::move(job));
template <class Fn>
auto run(Fn&& job) {
  using out = std::invoke_result_t<std::decay_t<Fn>&>;
  return job_future<typename out::value_type>(submit(std::forward<Fn>(job)));
}

}  // namespace kyoto::fs::detail
