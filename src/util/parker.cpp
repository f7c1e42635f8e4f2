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
  if (timeout.count() > 0) {
    timespec ts{static_cast<time_t>(timeout.count() / 1'000'000'000),
                static_cast<long>(timeout.count() % 1'000'000'000)};
    futex_wait(&state_, parked, &ts);
  }
  // Timed out, woken, or spurious: leave PARKED either way; a token that
  // arrived meanwhile is consumed here.
  state_.exchange(empty, std::memory_order_acquire);
}

void parker::unpark() noexcept {
  if (state_.exchange(notified, std::memory_order_release) == parked) futex_wake(&state_, 1);
}

}  // namespace kyoto::detail
