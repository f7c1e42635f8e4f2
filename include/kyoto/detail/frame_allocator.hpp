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

/// Blocks come in classes frame_class_bytes apart up to frame_class_count
/// classes; bigger ones come straight from malloc. Class c's blocks are
/// 16c + 8 bytes: glibc's malloc gives a request of 16k + 8 bytes a chunk
/// of 16k + 16 (the 8-byte size header plus the next chunk's unused first
/// word), so a frame whose size is 8 mod 16 costs only 8 bytes more than
/// its size (it cost 24 when blocks were multiples of 16).
inline constexpr std::size_t frame_class_bytes = 16;
inline constexpr std::size_t frame_class_count = 128;
inline constexpr std::size_t frame_class_of(std::size_t size) noexcept {
  return (size + 7) / frame_class_bytes;
}
inline constexpr std::size_t frame_class_block(std::size_t c) noexcept {
  return c * frame_class_bytes + 8;
}

/// One byte that stands for a block's size when it is freed: its class, or
/// 255 for a block bigger than every class (frame_size_of_code gives back a
/// size of the same class).
inline constexpr std::uint8_t frame_size_code(std::size_t size) noexcept {
  std::size_t c = frame_class_of(size);
  return static_cast<std::uint8_t>(c < frame_class_count ? c : 255);
}
inline constexpr std::size_t frame_size_of_code(std::uint8_t code) noexcept {
  return frame_class_block(code);
}
static_assert(frame_class_count < 255);
static_assert(frame_class_of(frame_size_of_code(frame_size_code(200))) == frame_class_of(200));
static_assert(frame_class_of(frame_size_of_code(255)) >= frame_class_count);

void* frame_allocate(std::size_t size);
void frame_deallocate(void* p, std::size_t size) noexcept;

/// Frees the calling thread's cached blocks and the shared depot to malloc
/// (other threads keep their own small caches); returns how many blocks.
/// For memory measurements and for programs that just released a burst.
std::size_t frame_cache_trim() noexcept;

/// Blocks currently cached by the calling thread (for tests and benchmarks).
std::size_t frame_cache_blocks() noexcept;

}  // namespace kyoto::detail
