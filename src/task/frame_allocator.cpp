// Per-thread block caches with a shared depot (magazines).
//
// Each thread keeps, per 16-byte size class, a singly linked list of free
// blocks; allocation pops, deallocation pushes: no atomics, no locks. A
// block freed on another thread simply joins that thread's list, so
// producer/consumer patterns (a spawner thread and the workers that finish
// its tasks) would leave the producer always calling malloc and the
// consumer with a growing list. The depot balances them: a thread whose
// list for a class holds more than local_max blocks moves a batch of
// batch_blocks to the class's depot (one mutex operation per batch), and a
// thread whose list is empty takes a whole batch from the depot before
// falling back to malloc. The depot keeps at most depot_max_batches per
// class (131,072 blocks: a spawner that keeps 100,000 tasks in flight
// recycles all of them); beyond that, batches go back to malloc, and
// frame_cache_trim() gives the depot back on request.
// Lifetime: thread caches are emptied into malloc at thread exit (blocks
// freed later by other thread_local destructors go straight to free); the
// depot lives for the process.
#include "kyoto/detail/frame_allocator.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace kyoto::detail {
namespace {

// 16-byte classes (malloc's own granularity) up to 2 KiB, each 8 bytes
// past a multiple of 16 (frame_allocator.hpp): a frame wastes at most 15
// bytes to rounding.
constexpr std::size_t class_count = frame_class_count;
constexpr unsigned batch_blocks = 128;
constexpr unsigned local_max = 2 * batch_blocks;
constexpr std::size_t depot_max_batches = 1024;

struct free_block {
  free_block* next;
};

struct batch {
  free_block* head;
  unsigned count;
};

struct depot_class {
  std::mutex lock;
  std::vector<batch> batches;        // guarded by lock
  std::atomic<std::size_t> size{0};  // batches.size(), readable without the lock
};

depot_class* depot() {
  static depot_class* d = new depot_class[class_count];  // never destroyed: used at thread exit
  return d;
}

// Trivially destructible so that reaching it costs no TLS guard; the
// cleanup object below empties it when the thread exits.
struct frame_cache {
  free_block* head[class_count];
  unsigned count[class_count];
  // 0: no cleanup registered yet, 1: registered, 2: thread is exiting.
  unsigned char lifecycle;
};

thread_local frame_cache cache{};

void free_chain(free_block* b) {
  while (b) {
    free_block* next = b->next;
    std::free(b);
    b = next;
  }
}

struct frame_cache_cleanup {
  ~frame_cache_cleanup() {
    // Frames freed after this point (by later thread_local destructors) go
    // straight back to malloc.
    cache.lifecycle = 2;
    for (std::size_t c = 0; c < class_count; ++c) {
      free_chain(cache.head[c]);
      cache.head[c] = nullptr;
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

inline std::size_t class_of(std::size_t size) noexcept { return frame_class_of(size); }

// Moves batch_blocks blocks of class c from this thread to the depot.
void spill(std::size_t c) {
  free_block* first = cache.head[c];
  free_block* last = first;
  for (unsigned i = 1; i < batch_blocks; ++i) last = last->next;
  cache.head[c] = last->next;
  cache.count[c] -= batch_blocks;
  last->next = nullptr;
  depot_class& d = depot()[c];
  {
    std::lock_guard lock(d.lock);
    if (d.batches.size() < depot_max_batches) {
      d.batches.push_back(batch{first, batch_blocks});
      d.size.store(d.batches.size(), std::memory_order_relaxed);
      return;
    }
  }
  free_chain(first);
}

// Refills this thread's empty list of class c from the depot.
bool refill(std::size_t c) {
  depot_class& d = depot()[c];
  if (d.size.load(std::memory_order_relaxed) == 0) return false;  // no lock for an empty depot
  batch b;
  {
    std::lock_guard lock(d.lock);
    if (d.batches.empty()) return false;
    b = d.batches.back();
    d.batches.pop_back();
    d.size.store(d.batches.size(), std::memory_order_relaxed);
  }
  cache.head[c] = b.head;
  cache.count[c] = b.count;
  return true;
}

}  // namespace

void* frame_allocate(std::size_t size) {
  std::size_t c = class_of(size);
  if (c < class_count) {
    free_block* b = cache.head[c];
    if (!b && cache_usable() && refill(c)) b = cache.head[c];
    if (b) {
      cache.head[c] = b->next;
      --cache.count[c];
      return b;
    }
    size = frame_class_block(c);
  }
  void* p = std::malloc(size);
  if (!p) throw std::bad_alloc();
  return p;
}

void frame_deallocate(void* p, std::size_t size) noexcept {
  std::size_t c = class_of(size);
  if (c < class_count && cache_usable()) {
    auto* b = static_cast<free_block*>(p);
    b->next = cache.head[c];
    cache.head[c] = b;
    if (++cache.count[c] > local_max) spill(c);
    return;
  }
  std::free(p);
}

std::size_t frame_cache_trim() noexcept {
  std::size_t freed = 0;
  for (std::size_t c = 0; c < class_count; ++c) {
    freed += cache.count[c];
    free_chain(cache.head[c]);
    cache.head[c] = nullptr;
    cache.count[c] = 0;
  }
  depot_class* d = depot();
  for (std::size_t c = 0; c < class_count; ++c) {
    std::vector<batch> taken;
    {
      std::lock_guard lock(d[c].lock);
      taken.swap(d[c].batches);
      d[c].size.store(0, std::memory_order_relaxed);
    }
    for (const batch& b : taken) {
      freed += b.count;
      free_chain(b.head);
    }
  }
  return freed;
}

std::size_t frame_cache_blocks() noexcept {
  std::size_t n = 0;
  for (unsigned k : cache.count) n += k;
  return n;
}

}  // namespace kyoto::detail
