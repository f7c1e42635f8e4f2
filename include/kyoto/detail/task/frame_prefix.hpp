// The prefix in front of every kyoto coroutine frame: room for the task
// header, so that spawning a task<T> needs no second allocation.
//
// Layout of one allocation (from frame_block_allocate):
//   [ frame_prefix: room for a task_header (40) | repoll (8) ][ coroutine frame ]
//                                                      ^ operator new returns this,
//                                                        and it is handle.address()
// Until the frame is spawned, the prefix holds two words: a null pointer
// where the header's vtable goes (task_header::vtable is its first member)
// and the frame's size. A frame that is only awaited or polled never
// touches the rest. spawn() of a task<T> reads the size, then constructs a
// task_header there, whose vtable is never null: from then on the
// coroutine's operator delete leaves the memory alone, and the task harness
// frees the whole block when the last reference to the header goes
// (spawned_task.hpp; the block's size code rides in the header's state
// word). In between, once the coroutine is destroyed, the dead frame's
// bytes hold the task's output.
//
// The two words are written by the allocating thread before the frame
// exists; the header is built by the spawner, which owns the frame, and the
// operator delete that reads the first word runs on the thread holding the
// task's RUNNING bit (after the header was published by the spawn).
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "kyoto/detail/alloc/frame_allocator.hpp"
#include "kyoto/detail/task/header.hpp"

namespace kyoto::detail {

struct alignas(16) frame_prefix {
  using repoll_fn = bool (*)(void*, context&);

  alignas(task_header) unsigned char header[sizeof(task_header)];
  /// The chain's repoll function while the frame's coroutine is a root
  /// blocked on a future (promise.hpp); null otherwise.
  repoll_fn repoll;

  static frame_prefix* of_frame(void* frame) noexcept {
    return std::launder(
        reinterpret_cast<frame_prefix*>(static_cast<unsigned char*>(frame) - sizeof(frame_prefix)));
  }
  static frame_prefix* of_header(task_header* h) noexcept {
    return std::launder(reinterpret_cast<frame_prefix*>(reinterpret_cast<unsigned char*>(h)));
  }
  void* frame() noexcept { return reinterpret_cast<unsigned char*>(this) + sizeof(frame_prefix); }

  /// Written by allocate_prefixed_frame: not spawned, and the frame's size.
  void mark_unspawned(std::size_t frame_bytes) noexcept {
    const void* no_vtable = nullptr;
    std::memcpy(header, &no_vtable, sizeof no_vtable);
    std::memcpy(header + sizeof(void*), &frame_bytes, sizeof frame_bytes);
  }
  /// Whether a task_header lives here (its vtable pointer is not null).
  bool spawned() const noexcept {
    const void* vtable;
    std::memcpy(&vtable, header, sizeof vtable);
    return vtable != nullptr;
  }
  /// The frame's size; only before the header is built.
  std::size_t unspawned_frame_bytes() const noexcept {
    std::size_t n;
    std::memcpy(&n, header + sizeof(void*), sizeof n);
    return n;
  }
  /// Frees the whole block (the header and anything in the frame are gone);
  /// `code` is frame_size_code of the block's size.
  void release(std::uint8_t code) noexcept {
    frame_block_deallocate(this, frame_size_of_code(code));
  }
};

static_assert(sizeof(frame_prefix) == 48, "a spawned task's header (40) and a root's repoll (8)");
static_assert(sizeof(frame_prefix) % 16 == 0, "frames must stay 16-byte aligned");

/// operator new of kyoto's coroutine promises: a frame_block_allocate block
/// with the prefix in front; returns the frame's address.
inline void* allocate_prefixed_frame(std::size_t size) {
  auto* p = ::new (frame_block_allocate(sizeof(frame_prefix) + size)) frame_prefix;
  p->mark_unspawned(size);
  p->repoll = nullptr;
  return p->frame();
}

/// operator delete of kyoto's coroutine promises (frees the whole block
/// unless a spawned task's header lives in the prefix).
inline void deallocate_prefixed_frame(void* frame, std::size_t size) noexcept {
  frame_prefix* p = frame_prefix::of_frame(frame);
  if (p->spawned()) return;  // the task harness frees it
  frame_block_deallocate(p, sizeof(frame_prefix) + size);
}

}  // namespace kyoto::detail
