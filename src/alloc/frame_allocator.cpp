// Per-thread block caches with a shared depot (magazines), over spans.
//
// Blocks: 16-byte size classes up to 2 KiB (frame_allocator.hpp); bigger
// requests go to malloc and back to free.
//
// Where fresh blocks come from: each thread carves them from its current
// span, a 256 KiB region mapped with mmap and aligned to its size, by
// bumping a pointer. A block costs exactly its class size: no per-block
// header (malloc's costs 8 to 16 bytes, which is 5-8% of an idle task).
// A span's first 64 bytes hold its header: how many blocks were carved
// from it and whether its thread has moved on to another span (retired).
//
// Where freed blocks go: each thread keeps, per class, a singly linked
// list of free blocks; allocation pops, deallocation pushes: no atomics,
// no locks. A block freed on another thread simply joins that thread's
// list, so producer/consumer patterns (a spawner thread and the workers
// that finish its tasks) would leave the producer always carving and the
// consumer with a growing list. The depot balances them: a thread whose
// list for a class holds more than local_max blocks moves a batch of
// batch_blocks to the class's depot (one mutex operation per batch), and a
// thread whose list is empty takes a whole batch from the depot before
// carving. A block is never given back on its own: blocks stay in the
// caches and the depot until frame_cache_trim() returns whole spans.
//
// frame_cache_trim() gathers the calling thread's lists and the whole
// depot, retires the thread's current span, and unmaps every retired span
// all of whose carved blocks were gathered (none is in use nor in another
// thread's list); the other gathered blocks go back to the depot.
// Synchronisation: only a span's carving thread writes its header, the
// count (relaxed) before `retired` (release); trim reads `retired`
// (acquire) before the count, so a retired span's count is final. Blocks
// reach trim through the depot's mutex or the calling thread's own list,
// so every use of a block by another thread happened before trim sees it.
//
// Lifetime: at thread exit a thread's lists move to the depot and its span
// is retired; blocks freed later by other thread_local destructors go
// straight to the depot. The depot and the spans live for the process.
//
// Under AddressSanitizer, fresh blocks come from malloc instead (its
// redzones then guard each block), the depot keeps at most
// depot_max_batches per class, and trim and thread exit free blocks.
#include "kyoto/detail/alloc/frame_allocator.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#include "kyoto/detail/sync_primitives.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define KYOTO_FRAME_SPANS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KYOTO_FRAME_SPANS 0
#endif
#endif
#ifndef KYOTO_FRAME_SPANS
#define KYOTO_FRAME_SPANS 1
#endif

namespace kyoto::detail {
namespace {

constexpr std::size_t class_count = frame_class_count;
constexpr unsigned batch_blocks = 128;
constexpr unsigned local_max = 2 * batch_blocks;
// With malloc'd blocks: how many batches per class the depot keeps (a
// spawner with 100,000 tasks in flight recycles all of them).
constexpr std::size_t depot_max_batches = 1024;

struct free_block {
  free_block* next;
};

struct batch {
  free_block* head;
  unsigned count;
};

struct depot_class {
  mutex lock;
  std::vector<batch> batches;   // guarded by lock
  atomic<std::size_t> size{0};  // batches.size(), readable without the lock
};

depot_class* depot() {
  static depot_class* d = new depot_class[class_count];  // never destroyed: used at thread exit
  return d;
}

// ---------------------------------------------------------------- spans

constexpr std::size_t span_bytes = 256 * 1024;
constexpr std::size_t span_header_bytes = 64;

struct span_header {
  atomic<std::uint32_t> carved{0};  // written by the carving thread only
  atomic<bool> retired{false};      // set once by the carving thread
};
static_assert(sizeof(span_header) <= span_header_bytes);

span_header* span_of(const void* block) noexcept {
  return reinterpret_cast<span_header*>(reinterpret_cast<std::uintptr_t>(block) &
                                        ~(std::uintptr_t{span_bytes} - 1));
}

// A span_bytes region aligned to span_bytes: map twice the size, unmap the
// misaligned ends.
span_header* map_span() {
  void* raw =
      ::mmap(nullptr, 2 * span_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  auto start = reinterpret_cast<std::uintptr_t>(raw);
  std::uintptr_t aligned = (start + span_bytes - 1) & ~(std::uintptr_t{span_bytes} - 1);
  if (aligned > start) ::munmap(raw, aligned - start);
  std::uintptr_t tail = aligned + span_bytes;
  std::uintptr_t end = start + 2 * span_bytes;
  if (end > tail) ::munmap(reinterpret_cast<void*>(tail), end - tail);
  return ::new (reinterpret_cast<void*>(aligned)) span_header;
}

void unmap_span(span_header* s) noexcept { ::munmap(s, span_bytes); }

// ---------------------------------------------------------------- thread caches

// Trivially destructible so that reaching it costs no TLS guard; the
// cleanup object below empties it when the thread exits.
struct frame_cache {
  free_block* head[class_count];
  unsigned count[class_count];
  // The span being carved (spans mode): next free byte and its end.
  span_header* span;
  unsigned char* bump;
  unsigned char* bump_end;
  // 0: no cleanup registered yet, 1: registered, 2: thread is exiting.
  unsigned char lifecycle;
};

thread_local frame_cache cache{};

constexpr std::size_t block_bytes(std::size_t c) noexcept { return frame_class_block(c); }

void retire_span() noexcept {
  if (!cache.span) return;
  cache.span->retired.store(true, std::memory_order_release);
  cache.span = nullptr;
  cache.bump = cache.bump_end = nullptr;
}

// A block nobody has used yet.
void* fresh_block(std::size_t c) {
  std::size_t n = block_bytes(c);
  if constexpr (KYOTO_FRAME_SPANS) {
    if (static_cast<std::size_t>(cache.bump_end - cache.bump) < n) {
      span_header* s = map_span();
      retire_span();
      cache.span = s;
      cache.bump = reinterpret_cast<unsigned char*>(s) + span_header_bytes;
      cache.bump_end = reinterpret_cast<unsigned char*>(s) + span_bytes;
    }
    void* p = cache.bump;
    cache.bump += n;
    cache.span->carved.store(cache.span->carved.load(std::memory_order_relaxed) + 1,
                             std::memory_order_relaxed);
    // A thread past its cache's cleanup will not retire its span later.
    if (cache.lifecycle == 2) retire_span();
    return p;
  } else {
    void* p = std::malloc(n);
    if (!p) throw std::bad_alloc();
    return p;
  }
}

// Blocks from malloc (sanitizer builds) going back to it.
void free_chain(free_block* b) noexcept {
  while (b) {
    free_block* next = b->next;
    std::free(b);
    b = next;
  }
}

// Hands a chain of `count` free blocks of class c to the depot. With
// malloc'd blocks (sanitizer builds) the depot keeps at most
// depot_max_batches per class and the rest goes back to free; span blocks
// can only be kept.
void to_depot(free_block* b, std::size_t c, unsigned count) {
  if (!b) return;
  depot_class& d = depot()[c];
  {
    lock_guard lock(d.lock);
    if (KYOTO_FRAME_SPANS || d.batches.size() < depot_max_batches) {
      d.batches.push_back(batch{b, count});
      d.size.store(d.batches.size(), std::memory_order_relaxed);
      return;
    }
  }
  free_chain(b);
}

// Where a thread's own blocks go when it exits.
void release_at_exit(free_block* b, std::size_t c, unsigned count) {
  if constexpr (KYOTO_FRAME_SPANS) {
    to_depot(b, c, count);
  } else {
    (void)c;
    (void)count;
    free_chain(b);
  }
}

struct frame_cache_cleanup {
  ~frame_cache_cleanup() {
    // Frames freed after this point (by later thread_local destructors) go
    // straight to the depot.
    cache.lifecycle = 2;
    for (std::size_t c = 0; c < class_count; ++c) {
      release_at_exit(cache.head[c], c, cache.count[c]);
      cache.head[c] = nullptr;
      cache.count[c] = 0;
    }
    retire_span();
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

// Moves batch_blocks blocks of class c from this thread to the depot.
void spill(std::size_t c) {
  free_block* first = cache.head[c];
  free_block* last = first;
  for (unsigned i = 1; i < batch_blocks; ++i) last = last->next;
  cache.head[c] = last->next;
  cache.count[c] -= batch_blocks;
  last->next = nullptr;
  to_depot(first, c, batch_blocks);
}

// Refills this thread's empty list of class c from the depot.
bool refill(std::size_t c) {
  depot_class& d = depot()[c];
  if (d.size.load(std::memory_order_relaxed) == 0) return false;  // no lock for an empty depot
  batch b;
  {
    lock_guard lock(d.lock);
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

void* frame_block_allocate(std::size_t size) {
  std::size_t c = frame_class_of(size);
  if (c < class_count) {
    free_block* b = cache.head[c];
    if (!b && cache_usable() && refill(c)) b = cache.head[c];
    if (b) {
      cache.head[c] = b->next;
      --cache.count[c];
      return b;
    }
    return fresh_block(c);
  }
  void* p = std::malloc(size);
  if (!p) throw std::bad_alloc();
  return p;
}

void frame_block_deallocate(void* p, std::size_t size) noexcept {
  std::size_t c = frame_class_of(size);
  if (c >= class_count) {
    std::free(p);
    return;
  }
  auto* b = static_cast<free_block*>(p);
  if (!cache_usable()) {
    b->next = nullptr;
    release_at_exit(b, c, 1);
    return;
  }
  b->next = cache.head[c];
  cache.head[c] = b;
  if (++cache.count[c] > local_max) spill(c);
}

std::size_t frame_cache_trim() noexcept {
  // Gather this thread's lists and the depot, class by class.
  std::vector<std::pair<free_block*, std::size_t>> gathered;  // block, class
  depot_class* d = depot();
  for (std::size_t c = 0; c < class_count; ++c) {
    std::vector<batch> taken;
    {
      lock_guard lock(d[c].lock);
      taken.swap(d[c].batches);
      d[c].size.store(0, std::memory_order_relaxed);
    }
    taken.push_back(batch{cache.head[c], cache.count[c]});
    cache.head[c] = nullptr;
    cache.count[c] = 0;
    for (const batch& b : taken) {
      for (free_block* f = b.head; f; f = f->next) gathered.emplace_back(f, c);
    }
  }
  if constexpr (!KYOTO_FRAME_SPANS) {
    for (auto& entry : gathered) std::free(entry.first);
    return gathered.size();
  }
  // Unmap the spans whose every block is here; the rest go back.
  retire_span();
  std::sort(gathered.begin(), gathered.end(),
            [](const auto& a, const auto& b) { return std::less<>()(a.first, b.first); });
  std::size_t released = 0;
  std::vector<free_block*> keep_head(class_count, nullptr);
  std::vector<unsigned> keep_count(class_count, 0);
  for (std::size_t i = 0; i < gathered.size();) {
    span_header* s = span_of(gathered[i].first);
    std::size_t j = i;
    while (j < gathered.size() && span_of(gathered[j].first) == s) ++j;
    if (s->retired.load(std::memory_order_acquire) &&
        s->carved.load(std::memory_order_relaxed) == j - i) {
      released += j - i;
      unmap_span(s);
    } else {
      for (std::size_t k = i; k < j; ++k) {
        auto [b, c] = gathered[k];
        b->next = keep_head[c];
        keep_head[c] = b;
        if (++keep_count[c] == batch_blocks) {
          to_depot(std::exchange(keep_head[c], nullptr), c, batch_blocks);
          keep_count[c] = 0;
        }
      }
    }
    i = j;
  }
  for (std::size_t c = 0; c < class_count; ++c) to_depot(keep_head[c], c, keep_count[c]);
  return released;
}

bool frame_allocator_uses_spans() noexcept { return KYOTO_FRAME_SPANS; }

std::size_t frame_cache_blocks() noexcept {
  std::size_t n = 0;
  for (unsigned k : cache.count) n += k;
  return n;
}

}  // namespace kyoto::detail
