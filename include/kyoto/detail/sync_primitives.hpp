// The one place where kyoto's runtime internals get their atomics, fences,
// mutexes, locks, condition variables and threads (what Tokio's `loom`
// module does for Tokio).
//
// Code under src/, include/kyoto/detail/ and include/kyoto/sync/detail/
// names them through kyoto::detail (atomic<T>, atomic_thread_fence, mutex,
// lock_guard, unique_lock; condition_variable and thread come from
// src/util/sync_primitives.hpp, which adds them to this one and is kept out
// of public headers so that users do not pay for <thread>), never through
// std:: directly, so that a checking build (one that perturbs the schedule
// at every synchronisation point, or a model checker that explores the
// interleavings) can swap them here, in these two files alone.
//
// In a normal build they are the standard types and functions themselves:
// using-declarations, not wrappers or alias templates, so they cost nothing
// and class template argument deduction (`lock_guard lock(m)`) works with
// every compiler kyoto supports. Memory orders stay std::memory_order_*:
// they are values a checker reads, not objects it replaces. The lock tags
// (std::defer_lock, std::try_to_lock) stay std:: for the same reason.
//
// Not covered: src/util/futex.hpp hands the address of an atomic<uint32_t>
// to the kernel, so a checking build has to replace the parker
// (src/util/parker.hpp) as a whole rather than its atomic alone.
#pragma once

#include <atomic>
#include <mutex>
#include <shared_mutex>

namespace kyoto::detail {

using std::atomic;
using std::atomic_thread_fence;
using std::lock_guard;
using std::mutex;
using std::shared_lock;
using std::shared_mutex;
using std::unique_lock;

}  // namespace kyoto::detail
