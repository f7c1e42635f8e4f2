// Thin wrappers over the Linux futex system call.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "kyoto/detail/sync_primitives.hpp"

#if defined(__SANITIZE_THREAD__)
#define KYOTO_DETAIL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KYOTO_DETAIL_TSAN 1
#endif
#endif

namespace kyoto::detail {

/// Sleeps while *word == expected (or until woken, or a spurious return).
/// `timeout` is relative; null waits forever.
inline void futex_wait(atomic<std::uint32_t>* word, std::uint32_t expected,
                       const timespec* timeout = nullptr) noexcept {
#if defined(KYOTO_DETAIL_TSAN)
  // ThreadSanitizer defers a signal that lands on a thread outside an
  // intercepted call until that thread makes one. The futex system call is
  // not intercepted, so a parked worker (or block_on's thread, which the
  // kernel prefers for process-directed signals) would hold a SIGINT or
  // SIGTERM until something woke it: kyoto's handler would not run and the
  // signal's listeners would wait forever. Under TSan only, sleep at most
  // 10 ms per call (callers already treat an early return as spurious) and
  // then make an intercepted call, which runs the deferred handlers.
  constexpr timespec tsan_cap{0, 10'000'000};
  if (timeout == nullptr || timeout->tv_sec > 0 || timeout->tv_nsec > tsan_cap.tv_nsec)
    timeout = &tsan_cap;
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, timeout,
          nullptr, 0);
  ::usleep(0);
#else
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, timeout,
          nullptr, 0);
#endif
}

inline void futex_wake(atomic<std::uint32_t>* word, int count) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE_PRIVATE, count, nullptr,
          nullptr, 0);
}

}  // namespace kyoto::detail
