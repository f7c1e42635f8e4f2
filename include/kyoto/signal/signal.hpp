// Unix signals as streams of deliveries (Tokio's tokio::signal).
//   co_await kyoto::signal::ctrl_c();                       // io::result<void>
//   auto term = kyoto::signal::unix_signal(kyoto::signal::kind::terminate());
//   while (auto sig = co_await term->recv()) { ... }        // std::optional<int>
//
// How it works (src/signal/registry.cpp has the protocol): the first
// listener of a signal installs a handler for it (and it stays installed
// for the life of the process, as in Tokio). The handler sets the signal's
// pending flag and writes a byte to a process-wide self-pipe; each runtime
// that has listeners watches the pipe through its I/O driver and, when it
// becomes readable, turns pending flags into a new delivery generation and
// wakes the listeners. A signal raised by any thread (also one kyoto does
// not own) is seen. Every listener sees a delivery after each signal that
// follows its creation; deliveries that arrive while a listener is not
// polling coalesce into one, but are never lost. Several listeners of one
// signal each see it. Signals keep working on a runtime built after an
// earlier one was destroyed.
// SIGKILL, SIGSTOP, SIGILL, SIGFPE, SIGSEGV and SIGBUS cannot be listened
// to (std::errc::invalid_argument).
// Cancel safety: recv() is cancel safe (a dropped recv loses nothing: the
// next one sees the delivery).
#pragma once

#include <cstdint>
#include <optional>

#include "kyoto/core/context.hpp"
#include "kyoto/core/poll.hpp"
#include "kyoto/core/task.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::signal {

/// A signal number, with the names Tokio's SignalKind has.
class kind {
 public:
  static constexpr kind from_raw(int signum) noexcept { return kind(signum); }
  static kind interrupt() noexcept;
  static kind terminate() noexcept;
  static kind hangup() noexcept;
  static kind quit() noexcept;
  static kind user_defined1() noexcept;
  static kind user_defined2() noexcept;
  static kind child() noexcept;
  static kind pipe() noexcept;
  static kind alarm() noexcept;
  static kind window_change() noexcept;
  constexpr int as_raw() const noexcept { return signum_; }
  friend constexpr bool operator==(kind, kind) noexcept = default;

 private:
  constexpr explicit kind(int s) noexcept : signum_(s) {}
  int signum_;
};

namespace detail {
struct listener;
}

/// The deliveries of one signal to one listener. Also a kyoto::stream of int.
class signal_stream {
 public:
  using item_type = int;

  signal_stream(signal_stream&& o) noexcept;
  signal_stream& operator=(signal_stream&& o) noexcept;
  ~signal_stream();

  /// The signal number once per delivery (coalesced); nullopt only if the
  /// runtime's I/O driver is gone.
  poll_result<std::optional<int>> poll_recv(context& cx);
  poll_result<std::optional<int>> poll_next(context& cx) { return poll_recv(cx); }

  class [[nodiscard]] recv_future {
   public:
    using output_type = std::optional<int>;
    explicit recv_future(signal_stream& s) noexcept : s_(&s) {}
    poll_result<output_type> poll(context& cx) { return s_->poll_recv(cx); }

   private:
    signal_stream* s_;
  };
  recv_future recv() noexcept { return recv_future(*this); }

  int signum() const noexcept;

 private:
  friend io::result<signal_stream> unix_signal(kind k);
  explicit signal_stream(detail::listener* l) noexcept : l_(l) {}
  detail::listener* l_;
};

/// Starts listening for `k` on the current runtime (which needs I/O
/// enabled; throws std::runtime_error otherwise).
io::result<signal_stream> unix_signal(kind k);

/// Completes at the next SIGINT after the call (Ctrl-C).
task<io::result<void>> ctrl_c();

}  // namespace kyoto::signal
