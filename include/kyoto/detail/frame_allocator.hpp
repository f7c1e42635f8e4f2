// Per-thread recycling allocator for coroutine frames.
//
// Frames are rounded up to 16-byte size classes (up to 2 KiB); freed blocks go on the
// freeing thread's list for their class (capped) and are handed out again
// without touching malloc. A block freed on another thread simply migrates
// to that thread's cache. Nothing here is shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kyoto::detail {

/// Blocks come in classes of frame_class_bytes steps up to
/// frame_class_count classes; bigger ones come straight from malloc.
inline constexpr std::size_t frame_class_bytes = 16;
inline constexpr std::size_t frame_class_count = 128;
inline constexpr std::size_t frame_class_of(std::size_t size) noexcept {
  return (size - 1) / frame_class_bytes;
}

/// One byte that stands for a block's size when it is freed: its class, or
/// 255 for a block bigger than every class (frame_size_of_code gives back a
/// size of the same class).
inline constexpr std::uint8_t frame_size_code(std::size_t size) noexcept {
  std::size_t c = frame_class_of(size);
  return static_cast<std::uint8_t>(c < frame_class_count ? c : 255);
}
inline constexpr std::size_t frame_size_of_code(std::uint8_t code) noexcept {
  return (std::size_t{code} + 1) * frame_class_bytes;
}
static_assert(frame_class_count < 255);

void* frame_allocate(std::size_t size);
void frame_deallocate(void* p, std::size_t size) noexcept;

/// Frees the calling thread's cached blocks and the shared depot to malloc
/// (other threads keep their own small caches); returns how many blocks.
/// For memory measurements and for programs that just released a burst.
std::size_t frame_cache_trim() noexcept;

/// Blocks currently cached by the calling thread (for tests and benchmarks).
std::size_t frame_cache_blocks() noexcept;

}  // namespace kyoto::detail
