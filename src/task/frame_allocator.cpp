#include "kyoto/detail/frame_allocator.hpp"

#include <cstdlib>
#include <new>

namespace kyoto::detail {
namespace {

// 16-byte classes (malloc's own granularity) up to 2 KiB: a frame wastes at
// most 15 bytes to rounding.
constexpr std::size_t class_bytes = 16;
constexpr std::size_t class_count = 128;
constexpr unsigned max_cached_per_class = 4096;

struct free_block {
  free_block* next;
};

// Trivially destructible so that reaching it costs no TLS guard; the
// cleanup object below empties it when the thread exits.
struct frame_cache {
  free_block* head[class_count];
  unsigned count[class_count];
  // 0: no cleanup registered yet, 1: registered, 2: thread is exiting.
  unsigned char lifecycle;
};

thread_local frame_cache cache{};

struct frame_cache_cleanup {
  ~frame_cache_cleanup() {
    // Frames freed after this point (by later thread_local destructors) go
    // straight back to malloc.
    cache.lifecycle = 2;
    for (std::size_t c = 0; c < class_count; ++c) {
      while (free_block* b = cache.head[c]) {
        cache.head[c] = b->next;
        std::free(b);
      }
      cache.count[c] = 0;
    }
  }
};

// True when blocks may be cached on this thread (registers the cleanup on
// first use; false once the thread is exiting).
bool cache_usable() {
  if (cache.lifecycle == 1) return true;
  if (cache.lifecycle == 2) return false;
  thread_local frame_cache_cleanup cleanup;
  (void)cleanup;
  cache.lifecycle = 1;
  return true;
}

inline std::size_t class_of(std::size_t size) noexcept { return (size - 1) / class_bytes; }

}  // namespace

void* frame_allocate(std::size_t size) {
  std::size_t c = class_of(size);
  if (c < class_count) {
    if (free_block* b = cache.head[c]) {
      cache.head[c] = b->next;
      --cache.count[c];
      return b;
    }
    size = (c + 1) * class_bytes;
  }
  void* p = std::malloc(size);
  if (!p) throw std::bad_alloc();
  return p;
}

void frame_deallocate(void* p, std::size_t size) noexcept {
  std::size_t c = class_of(size);
  if (c < class_count && cache.count[c] < max_cached_per_class && cache_usable()) {
    auto* b = static_cast<free_block*>(p);
    b->next = cache.head[c];
    cache.head[c] = b;
    ++cache.count[c];
    return;
  }
  std::free(p);
}

std::size_t frame_cache_blocks() noexcept {
  std::size_t n = 0;
  for (unsigned k : cache.count) n += k;
  return n;
}

}  // namespace kyoto::detail
