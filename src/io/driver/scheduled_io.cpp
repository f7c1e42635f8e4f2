#include "io/driver/scheduled_io.hpp"

#include <array>

namespace kyoto::detail {
namespace {

constexpr std::size_t wake_batch = 32;

// A stored waker that would do something when woken (a slot nobody filled
// holds the no-op waker).
bool is_set(const waker& w) noexcept { return w.as_raw().vtable != &noop_vtable; }

}  // namespace

// Moves into `out` (at most `cap`) the wakers of the waiters matching
// `bits` (every waiter when `all`); `more` tells whether some were left.
// Called with lock held.
// The batch holds raw wakers (trivial to create and forget), so a wake
// costs no construction or no-op drop of the unused slots.
std::size_t scheduled_io::take_wakers_locked(std::uint8_t bits, bool all, raw_waker* out,
                                             std::size_t cap, bool& more) noexcept {
  std::size_t n = 0;
  more = false;
  if ((all || (bits & io::detail::read_mask)) && is_set(reader) && n < cap) {
    out[n++] = std::move(reader).into_raw();
  }
  if ((all || (bits & io::detail::write_mask)) && is_set(writer) && n < cap) {
    out[n++] = std::move(writer).into_raw();
  }
  for (list_node* node = waiters.front(); node;) {
    list_node* following = node->next;
    auto* w = static_cast<io::detail::io_waiter*>(node);
    if (all || (w->interest & bits)) {
      if (n == cap) {
        more = true;
        break;
      }
      waiters.remove(w);
      out[n++] = std::move(w->w).into_raw();
    }
    node = following;
  }
  return n;
}

void scheduled_io::wake_matching(std::uint8_t bits, bool all) {
  std::array<raw_waker, wake_batch> batch;  // left uninitialised: only [0, n) is read
  for (;;) {
    std::size_t n;
    bool more;
    {
      lock_guard guard(lock);
      n = take_wakers_locked(bits, all, batch.data(), batch.size(), more);
    }
    // Each raw waker owns its reference; wake() consumes it.
    for (std::size_t i = 0; i < n; ++i) batch[i].vtable->wake(batch[i].data);
    if (!more) return;
  }
}

void scheduled_io::set_readiness_and_wake(std::uint8_t bits) {
  std::uint32_t cur = readiness.load(std::memory_order_relaxed);
  for (;;) {
    std::uint32_t tick = (static_cast<std::uint32_t>(tick_of(cur)) + 1) & 0xffff;
    std::uint32_t desired = (tick << 16) | (cur & 0xffff) | bits;
    if (readiness.compare_exchange_weak(cur, desired, std::memory_order_acq_rel)) break;
  }
  wake_matching(bits, false);
}

void scheduled_io::shutdown_and_wake() {
  readiness.fetch_or(shutdown_bit, std::memory_order_acq_rel);
  wake_matching(0, true);
}

void scheduled_io::shutdown_take_all(std::vector<waker>& out) {
  readiness.fetch_or(shutdown_bit, std::memory_order_acq_rel);
  lock_guard guard(lock);
  std::array<raw_waker, wake_batch> batch;
  bool more = true;
  while (more) {
    std::size_t n = take_wakers_locked(0, true, batch.data(), batch.size(), more);
    for (std::size_t i = 0; i < n; ++i) out.push_back(waker::from_raw(batch[i]));
  }
}

void scheduled_io::clear_readiness(io::detail::ready_event ev) noexcept {
  // Only readable / writable are transient; closed and error are final.
  const std::uint32_t clear = ev.ready & (io::detail::ready_readable | io::detail::ready_writable);
  std::uint32_t cur = readiness.load(std::memory_order_acquire);
  for (;;) {
    if (tick_of(cur) != ev.tick) return;  // an event arrived since: keep it
    std::uint32_t desired = cur & ~clear;
    if (desired == cur) return;
    if (readiness.compare_exchange_weak(cur, desired, std::memory_order_acq_rel)) return;
  }
}

}  // namespace kyoto::detail
