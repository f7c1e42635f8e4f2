// Per-thread recycling allocator for coroutine frames.
//
// Frames are rounded up to 16-byte size classes (up to 2 KiB); freed blocks go on the
// freeing thread's list for their class (capped) and are handed out again
// without touching malloc. A block freed on another thread simply migrates
// to that thread's cache. Nothing here is shared between threads.
#pragma once

#include <cstddef>

namespace kyoto::detail {

void* frame_allocate(std::size_t size);
void frame_deallocate(void* p, std::size_t size) noexcept;

/// Frees the calling thread's cached blocks and the shared depot to malloc
/// (other threads keep their own small caches); returns how many blocks.
/// For memory measurements and for programs that just released a burst.
std::size_t frame_cache_trim() noexcept;

/// Blocks currently cached by the calling thread (for tests and benchmarks).
std::size_t frame_cache_blocks() noexcept;

}  // namespace kyoto::detail
