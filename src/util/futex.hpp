// Thin wrappers over the Linux futex system call.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {

/// Sleeps while *word == expected (or until woken, or a spurious return).
/// `timeout` is relative; null waits forever.
inline void futex_wait(atomic<std::uint32_t>* word, std::uint32_t expected,
                       const timespec* timeout = nullptr) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, timeout,
          nullptr, 0);
}

inline void futex_wake(atomic<std::uint32_t>* word, int count) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE_PRIVATE, count, nullptr,
          nullptr, 0);
}

}  // namespace kyoto::detail
