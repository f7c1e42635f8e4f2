// The prefix in front of every kyoto coroutine frame: room for the task
// header, so that spawning a task<T> needs no second allocation.
//
// Layout of one allocation (from frame_allocate):
//   [ frame_prefix: header storage | frame_bytes | tag ][ coroutine frame ]
//                                                       ^ operator new returns this,
//                                                         and it is handle.address()
// A frame that is only awaited or polled never touches the header storage.
// spawn() of a task<T> constructs a task_header there and sets `spawned`:
// from then on the coroutine's operator delete leaves the memory alone, and
// the task harness frees the whole block when the last reference to the
// header goes (spawned_task.hpp). In between, once the coroutine is
// destroyed, the dead frame's bytes hold the task's output.
//
// The tag is written by the allocating thread before the frame exists and
// changed only by whoever owns the frame (the spawner, then the thread
// holding the task's RUNNING bit); the header's own fields follow the task
// state protocol.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <new>

#include "kyoto/detail/frame_allocator.hpp"
#include "kyoto/detail/task_header.hpp"

namespace kyoto::detail {

struct alignas(16) frame_prefix {
  /// Marks a prefix written by allocate_frame (checked when spawning).
  static constexpr std::uint32_t magic = 0x6b796f00u;
  static constexpr std::uint32_t magic_mask = 0xffffff00u;
  /// The header is live; the harness frees the block.
  static constexpr std::uint32_t spawned = 1u;
  /// The coroutine has not been destroyed yet.
  static constexpr std::uint32_t future_live = 2u;

  alignas(task_header) unsigned char header[sizeof(task_header)];
  std::uint32_t frame_bytes;
  std::uint32_t tag;

  static frame_prefix* of_frame(void* frame) noexcept {
    return std::launder(
        reinterpret_cast<frame_prefix*>(static_cast<unsigned char*>(frame) - sizeof(frame_prefix)));
  }
  static frame_prefix* of_header(task_header* h) noexcept {
    return std::launder(reinterpret_cast<frame_prefix*>(reinterpret_cast<unsigned char*>(h)));
  }
  void* frame() noexcept { return reinterpret_cast<unsigned char*>(this) + sizeof(frame_prefix); }
  /// Frees the whole block (the header and anything in the frame are gone).
  void release() noexcept { frame_deallocate(this, sizeof(frame_prefix) + frame_bytes); }
};

static_assert(sizeof(frame_prefix) % 16 == 0, "frames must stay 16-byte aligned");

/// operator new of kyoto's coroutine promises.
inline void* allocate_frame(std::size_t size) {
  assert(size < (std::size_t{1} << 32));
  auto* p = ::new (frame_allocate(sizeof(frame_prefix) + size)) frame_prefix;
  p->frame_bytes = static_cast<std::uint32_t>(size);
  p->tag = frame_prefix::magic;
  return p->frame();
}

/// operator delete of kyoto's coroutine promises.
inline void deallocate_frame(void* frame, std::size_t size) noexcept {
  frame_prefix* p = frame_prefix::of_frame(frame);
  assert(p->frame_bytes == size);
  (void)size;
  if (p->tag & frame_prefix::spawned) return;  // the task harness frees it
  p->release();
}

}  // namespace kyoto::detail
