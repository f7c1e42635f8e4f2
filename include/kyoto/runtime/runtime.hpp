// kyoto::runtime: the executor that runs spawned tasks, and its builder.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "kyoto/core/future.hpp"
#include "kyoto/core/task.hpp"
#include "kyoto/detail/runtime/runtime_core.hpp"
#include "kyoto/detail/task/harness.hpp"
#include "kyoto/detail/task/spawned_task.hpp"
#include "kyoto/runtime/join_handle.hpp"
#include "kyoto/runtime/metrics.hpp"

namespace kyoto {

namespace detail {

template <future F>
join_handle<output_of<F>> spawn_on(scheduler* s, F&& f) {
  using plain = std::remove_cvref_t<F>;
  task_header* t;
  if constexpr (is_task<plain>::value && !std::is_lvalue_reference_v<F>) {
    t = spawned_task<output_of<F>>::adopt(std::move(f), task_initial_state(s));
  } else {
    t = new task_cell<plain>(task_initial_state(s), std::forward<F>(f));
  }
  submit_new_task(t);
  return join_handle<output_of<F>>(t);
}

/// spawn(fn, args...): fn(args...) gives the future to run, and fn and the
/// arguments (decayed copies, as std::thread takes them) must outlive it:
/// a coroutine lambda reads its captures through the closure object, and
/// a coroutine's reference parameters point at the caller's objects.
template <class Fn, class... Args>
concept future_factory = std::is_invocable_v<std::decay_t<Fn>, std::decay_t<Args>...> &&
                         future<std::invoke_result_t<std::decay_t<Fn>, std::decay_t<Args>...>>;

template <class Fn, class... Args>
using factory_output = output_of<std::invoke_result_t<Fn, Args...>>;

/// The task that owns fn and args: they are parameters, so they live in
/// its frame until the future that fn returned has finished (or the task
/// is destroyed, which destroys that future first). fn is called when the
/// task first runs.
template <class Fn, class... Args>
task<factory_output<Fn, Args...>> call_owned(Fn fn, Args... args) {
  co_return co_await std::invoke(std::move(fn), std::move(args)...);
}

template <class Fn, class... Args>
auto make_call_owned(Fn&& fn, Args&&... args) {
  return call_owned<std::decay_t<Fn>, std::decay_t<Args>...>(std::forward<Fn>(fn),
                                                             std::forward<Args>(args)...);
}

/// Runs a function once, when polled (on a blocking-pool thread).
template <class Fn>
class blocking_future {
 public:
  using output_type = std::invoke_result_t<Fn&>;
  explicit blocking_future(Fn fn) : fn_(std::move(fn)) {}
  poll_result<output_type> poll(context&) {
    if constexpr (std::is_void_v<output_type>) {
      fn_();
      return poll_result<void>::ready();
    } else {
      return poll_result<output_type>(fn_());
    }
  }

 private:
  Fn fn_;
};

template <class Fn>
join_handle<std::invoke_result_t<std::decay_t<Fn>&>> spawn_blocking_on(scheduler* s, Fn&& fn) {
  return spawn_on(s, blocking_future<std::decay_t<Fn>>(std::forward<Fn>(fn)));
}

template <future F>
output_of<F> drive(runtime_core& core, F& f) {
  struct state {
    F* f;
    std::optional<value_of<F>> out;
    std::exception_ptr error;
  } st{&f, std::nullopt, nullptr};
  core.block_on(
      [](void* p, context& cx) -> bool {
        auto& s = *static_cast<state*>(p);
        try {
          return poll_into(*s.f, cx, s.out);
        } catch (...) {
          s.error = std::current_exception();
          return true;
        }
      },
      &st);
  if (st.error) std::rethrow_exception(st.error);
  if constexpr (!std::is_void_v<output_of<F>>) return std::move(*st.out);
}

}  // namespace detail

/// Runs tasks: multi-thread (work-stealing workers) or current-thread
/// (tasks run inside block_on on the calling thread).
///   auto rt = kyoto::runtime::builder::multi_thread().worker_threads(4).enable_all().build();
///   int v = rt.block_on(main_task());
/// Destroying the runtime shuts it down: every task still pending is
/// cancelled (its destructors run), threads are joined, blocking jobs
/// already running are waited for. Neither copyable nor movable.
class runtime {
 public:
  class builder;

  /// A cheap, copyable reference to a runtime.
  ///   auto h = kyoto::runtime::handle::current();   // inside a runtime
  ///   h.spawn(work());
  ///
  /// How to name the type. The contract has both this class and the
  /// member function rt.handle(), and C++ lets one class scope hold a
  /// class and a function of the same name only by hiding the class: an
  /// ordinary lookup of runtime::handle finds the function. Every other
  /// arrangement fails as well: a data member or a function template
  /// hides the class the same way; putting either name in a base class
  /// makes the one in the derived class hide it (so either rt.handle() or
  /// runtime::handle stops working); a typedef may not share its name with
  /// a function at all. What C++ still gives the class name to:
  ///   - a nested-name-specifier (the name before ::, looked up for types
  ///     only): kyoto::runtime::handle::current() works as written;
  ///   - an elaborated type specifier: class kyoto::runtime::handle h;
  ///   - the alias kyoto::runtime_handle (below), for declarations;
  ///   - auto: auto h = rt.handle();
  /// Only the declaration `kyoto::runtime::handle h` cannot compile (g++:
  /// "invalid use of non-static member function", clang: "must use 'class'
  /// tag"); tests/compile_fail/runtime_handle_declaration.cpp pins that,
  /// and rt_handle_test.cpp every spelling that works.
  class handle {
   public:
    /// The runtime of the calling thread; throws std::runtime_error outside one.
    static handle current() { return handle(detail::current_runtime_shared()); }

    template <future F>
    join_handle<output_of<F>> spawn(F&& f) const {
      return detail::spawn_on(core_->task_scheduler(), std::forward<F>(f));
    }
    /// Spawns fn(args...), keeping fn and the arguments alive until it
    /// finishes (see kyoto::spawn(fn, args...)).
    template <class Fn, class... Args>
    requires(!future<Fn> && detail::future_factory<Fn, Args...>)
    auto spawn(Fn&& fn, Args&&... args) const {
      return spawn(detail::make_call_owned(std::forward<Fn>(fn), std::forward<Args>(args)...));
    }
    template <class Fn>
    auto spawn_blocking(Fn&& fn) const {
      return detail::spawn_blocking_on(core_->blocking_scheduler(), std::forward<Fn>(fn));
    }
    template <future F>
    output_of<F> block_on(F&& f) const {
      if constexpr (std::is_lvalue_reference_v<F>) {
        return detail::drive(*core_, f);
      } else {
        std::remove_cvref_t<F> owned(std::forward<F>(f));
        return detail::drive(*core_, owned);
      }
    }

    /// A snapshot of the runtime's tasks, queues, threads, timers and
    /// descriptors (see runtime_metrics).
    runtime_metrics metrics() const { return core_->metrics(); }

   private:
    friend class runtime;
    explicit handle(std::shared_ptr<detail::runtime_core> c) noexcept : core_(std::move(c)) {}
    std::shared_ptr<detail::runtime_core> core_;
  };

  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;
  runtime(runtime&&) = delete;
  runtime& operator=(runtime&&) = delete;
  ~runtime() {
    if (core_) core_->shutdown(std::chrono::nanoseconds(-1));
  }

  /// Runs `f` to completion on the calling thread, inside this runtime
  /// (spawn works there). On a current-thread runtime, the spawned tasks
  /// run meanwhile on this thread.
  template <future F>
  output_of<F> block_on(F&& f) {
    return handle().block_on(std::forward<F>(f));
  }
  template <future F>
  join_handle<output_of<F>> spawn(F&& f) {
    return handle().spawn(std::forward<F>(f));
  }
  /// Spawns fn(args...), keeping fn and the arguments alive until it
  /// finishes (see kyoto::spawn(fn, args...)):
  ///   rt.spawn([name = std::string("w")]() -> kyoto::task<> { co_await work(name); });
  template <class Fn, class... Args>
  requires(!future<Fn> && detail::future_factory<Fn, Args...>)
  auto spawn(Fn&& fn, Args&&... args) {
    return handle().spawn(std::forward<Fn>(fn), std::forward<Args>(args)...);
  }
  template <class Fn>
  auto spawn_blocking(Fn&& fn) {
    return handle().spawn_blocking(std::forward<Fn>(fn));
  }

  class handle handle() const { return (class handle)(core_); }

  /// A snapshot of what the runtime holds (see runtime_metrics):
  ///   EXPECT_EQ(rt.metrics().num_alive_tasks, 0u);   // every task finished
  runtime_metrics metrics() const { return core_->metrics(); }

  /// Shuts down now: cancels every task and waits at most `timeout` for
  /// blocking jobs that are running (they are left to finish alone).
  template <class Rep, class Period>
  void shutdown_timeout(std::chrono::duration<Rep, Period> timeout) {
    core_->shutdown(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }

 private:
  explicit runtime(std::shared_ptr<detail::runtime_core> core) noexcept : core_(std::move(core)) {}
  std::shared_ptr<detail::runtime_core> core_;
};

/// The type of runtime::handle, for declarations (see runtime::handle: the
/// member function rt.handle() hides the class from `kyoto::runtime::handle h`):
///   std::optional<kyoto::runtime_handle> h;   // or: class kyoto::runtime::handle h
using runtime_handle = class runtime::handle;

class runtime::builder {
 public:
  static builder multi_thread() { return builder(detail::runtime_config::flavor::multi_thread); }
  static builder current_thread() {
    return builder(detail::runtime_config::flavor::current_thread);
  }

  /// Number of worker threads (multi-thread only); default: one per CPU.
  builder& worker_threads(std::size_t n) {
    config_.worker_threads = n;
    return *this;
  }
  /// Cap on blocking-pool threads (default 512); extra jobs queue.
  builder& max_blocking_threads(std::size_t n) {
    config_.max_blocking_threads = n;
    return *this;
  }
  /// How long an idle blocking thread waits for work before exiting (10 s).
  builder& thread_keep_alive(std::chrono::milliseconds d) {
    config_.blocking_keep_alive = d;
    return *this;
  }
  builder& thread_name(std::string name) {
    config_.thread_name = std::move(name);
    return *this;
  }
  builder& enable_io() {
    config_.enable_io = true;
    return *this;
  }
  builder& enable_time() {
    config_.enable_time = true;
    return *this;
  }
  builder& enable_all() { return enable_io().enable_time(); }
  /// Called (on the task's thread) with what a spawned task threw; the
  /// exception is also delivered to the join handle as a panic.
  builder& on_task_panic(std::function<void(const std::exception_ptr&)> hook) {
    config_.on_task_panic = std::move(hook);
    return *this;
  }

  runtime build() { return runtime(detail::make_runtime_core(config_)); }

 private:
  explicit builder(detail::runtime_config::flavor kind) { config_.kind = kind; }
  detail::runtime_config config_;
};

}  // namespace kyoto
