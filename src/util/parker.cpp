#include "util/parker.hpp"

#include "util/futex.hpp"

namespace kyoto::detail {

void parker::park() noexcept {
  if (state_.fetch_sub(1, std::memory_order_acquire) == notified) return;  // now empty
  for (;;) {
    futex_wait(&state_, parked);
    std::uint32_t expected = notified;
    if (state_.compare_exchange_strong(expected, empty, std::memory_order_acquire)) return;
  }
}

void parker::park_for(std::chrono::nanoseconds timeout) noexcept {
  if (state_.fetch_sub(1, std::memory_order_acquire) == notified) return;
  // futex_wait may return early (a signal, a spurious wake, TSan's cap in
  // futex.hpp): sleep again for what is left until a token or the deadline.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto left = timeout; left.count() > 0; left = deadline - std::chrono::steady_clock::now()) {
    timespec ts{static_cast<time_t>(left.count() / 1'000'000'000),
                static_cast<long>(left.count() % 1'000'000'000)};
    futex_wait(&state_, parked, &ts);
    if (state_.load(std::memory_order_relaxed) != parked) break;
  }
  // Timed out or woken: leave PARKED either way; a token that arrived
  // meanwhile is consumed here.
  state_.exchange(empty, std::memory_order_acquire);
}

void parker::unpark() noexcept {
  std::uint32_t old = state_.exchange(notified, std::memory_order_acq_rel);
  if (old == parked) {
    futex_wake(&state_, 1);
  } else if (old == parked_driver) {
    driver_wake_(driver_ctx_);
  }
}

}  // namespace kyoto::detail
