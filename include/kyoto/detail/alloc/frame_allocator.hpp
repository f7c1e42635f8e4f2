// Per-thread recycling allocator for coroutine frames and task cells.
//
// Frames are rounded up to 16-byte size classes (up to 2 KiB) and carved
// from per-thread spans; freed blocks go on the freeing thread's list for
// their class and are handed out again without locks; a shared depot
// balances threads that allocate with threads that free
// (src/alloc/frame_allocator.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace kyoto::detail {

/// Blocks come in classes frame_class_bytes apart up to frame_class_count
/// classes (class c: blocks of 16(c + 1) bytes, carved from spans with no
/// per-block header); bigger ones come straight from malloc.
inline constexpr std::size_t frame_class_bytes = 16;
inline constexpr std::size_t frame_class_count = 128;
inline constexpr std::size_t frame_class_of(std::size_t size) noexcept {
  return (size - 1) / frame_class_bytes;
}
inline constexpr std::size_t frame_class_block(std::size_t c) noexcept {
  return (c + 1) * frame_class_bytes;
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

/// A raw block of at least `size` bytes, and its return (with the same
/// size, or one of the same class). They know nothing of the frame prefix:
/// kyoto's coroutine frames go through allocate_prefixed_frame
/// (task/frame_prefix.hpp), which puts a frame_prefix in front.
void* frame_block_allocate(std::size_t size);
void frame_block_deallocate(void* p, std::size_t size) noexcept;

/// Gives memory back: gathers the calling thread's cached blocks and the
/// shared depot, and returns to the system every span none of whose blocks
/// is in use or cached by another thread (the other gathered blocks stay in
/// the depot); returns how many blocks went back. For memory measurements
/// and for programs that just released a burst.
std::size_t frame_cache_trim() noexcept;

/// Whether fresh blocks are carved from spans (false under AddressSanitizer,
/// where they come from malloc so that its redzones guard them).
bool frame_allocator_uses_spans() noexcept;

/// Blocks currently cached by the calling thread (for tests and benchmarks).
std::size_t frame_cache_blocks() noexcept;

}  // namespace kyoto::detail
