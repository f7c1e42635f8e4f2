// The errors of kyoto::mpsc's operations (kyoto/sync/mpsc.hpp).
#pragma once

namespace kyoto::mpsc {

/// The receiver is gone (the error of reserve() and of the sink interface).
struct closed_error {};

/// try_send failed; the value comes back in `value`.
template <class T>
struct try_send_error {
  enum class kind { full, closed } why;
  T value;
  bool is_full() const noexcept { return why == kind::full; }
  bool is_closed() const noexcept { return why == kind::closed; }
};

/// try_recv found no message: empty (a sender may still send one) or
/// disconnected (every sender is gone and the queue is drained: recv()
/// would give nullopt).
struct try_recv_error {
  enum class kind { empty, disconnected } why;
  bool is_empty() const noexcept { return why == kind::empty; }
  bool is_disconnected() const noexcept { return why == kind::disconnected; }
};

}  // namespace kyoto::mpsc
