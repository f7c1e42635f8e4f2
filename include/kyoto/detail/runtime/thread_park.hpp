// Parking the calling thread until its waker fires (used by block_on).
#pragma once

#include "kyoto/core/waker.hpp"

namespace kyoto::detail {

/// A waker that unparks the calling thread; valid from any thread, for as
/// long as it is held (it owns a reference to the thread's parker).
waker current_thread_waker();

/// Blocks the calling thread until its waker was woken since the last
/// return from this function. Returns at once if it already was.
void park_current_thread();

}  // namespace kyoto::detail
