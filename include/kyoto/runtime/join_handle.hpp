// join_handle<T>: awaits, aborts or detaches a spawned task.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/detail/task/harness.hpp"
#include "kyoto/runtime/coop.hpp"
#include "kyoto/runtime/join_error.hpp"

namespace kyoto {

/// Owned by whoever spawned the task.
///   auto h = kyoto::spawn(work());
///   auto r = co_await h;          // result<T, join_error>
///   if (r) use(*r);
/// Dropping the handle detaches the task (it keeps running); abort()
/// cancels it. Cancel safety: dropping a pending `co_await h` loses
/// nothing, the handle can be awaited again.
///
/// Detaching is a plain statement, as with Tokio's JoinHandle (which is
/// not must-use either):
///   kyoto::spawn(log_forever(rx));   // runs on; nobody waits for it
/// join_handle is therefore the one handle that is not [[nodiscard]]
/// (STYLE rule 7): discarding it has a documented meaning, and programs
/// written against the contract detach this way without a warning. The
/// awaitables it leads to (join_set::join_next, ...) keep the attribute.
template <class T>
class join_handle {
 public:
  using output_type = result<T, join_error>;

  join_handle() noexcept = default;
  explicit join_handle(detail::task_header* t) noexcept : task_(t) {}
  join_handle(join_handle&& o) noexcept : task_(std::exchange(o.task_, nullptr)) {}
  join_handle& operator=(join_handle&& o) noexcept {
    if (this != &o) {
      reset();
      task_ = std::exchange(o.task_, nullptr);
    }
    return *this;
  }
  ~join_handle() { reset(); }

  poll_result<output_type> poll(context& cx) {
    assert(task_ && "poll on an empty or finished join_handle");
    if (!coop::poll_proceed(cx)) return pending;
    if (!detail::join_poll(task_, cx)) return pending;
    auto* slot = static_cast<std::optional<output_type>*>(task_->vtable->output(task_));
    output_type out = std::move(**slot);
    slot->reset();
    reset();
    return out;
  }

  /// Requests cancellation: the task's future is destroyed at its next
  /// suspension point (or now, if it is idle) and the handle then yields
  /// join_error::cancelled(). No effect once the task has completed.
  void abort() noexcept {
    if (task_) detail::task_abort(task_);
  }
  bool is_finished() const noexcept { return !task_ || detail::task_is_complete(task_); }
  bool valid() const noexcept { return task_ != nullptr; }

  /// kyoto::scope's destructor: the task is cancelled (or complete) when
  /// this returns (detail::task_cancel_and_wait). Not for other callers.
  void cancel_and_wait_for_scope() noexcept {
    if (task_) detail::task_cancel_and_wait(task_);
  }

 private:
  void reset() noexcept {
    if (task_) detail::join_drop(std::exchange(task_, nullptr));
  }
  detail::task_header* task_ = nullptr;
};

}  // namespace kyoto
