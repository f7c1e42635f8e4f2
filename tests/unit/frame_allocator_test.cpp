#include "kyoto/detail/alloc/frame_allocator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

using namespace kyoto::detail;

TEST(FrameAllocator, RecyclesBlocksOfTheSameClass) {
  std::thread([] {
    void* a = frame_block_allocate(100);
    frame_block_deallocate(a, 100);
    EXPECT_EQ(frame_cache_blocks(), 1u);
    void* b = frame_block_allocate(110);  // same 16-byte class (97..112)
    EXPECT_EQ(a, b);
    EXPECT_EQ(frame_cache_blocks(), 0u);
    frame_block_deallocate(b, 110);
  }).join();
}

// Every size gets a block it can fill (AddressSanitizer checks the bounds),
// recycled only for sizes of the same class.
TEST(FrameAllocator, EverySizeFitsItsClassBlock) {
  std::thread([] {
    for (std::size_t size = 8; size <= 2 * 1024 + 64; size += 8) {
      auto* p = static_cast<unsigned char*>(frame_block_allocate(size));
      std::memset(p, 0xab, size);
      ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % 16, 0u) << size;
      frame_block_deallocate(p, size);
      void* q = frame_block_allocate(frame_size_of_code(frame_size_code(size)));
      std::memset(q, 0xcd, size);
      frame_block_deallocate(q, size);
    }
  }).join();
}

TEST(FrameAllocator, LargeFramesBypassTheCache) {
  std::thread([] {
    void* a = frame_block_allocate(1 << 20);
    frame_block_deallocate(a, 1 << 20);
    EXPECT_EQ(frame_cache_blocks(), 0u);
  }).join();
}

TEST(FrameAllocator, BlocksFreedOnAnotherThreadMigrate) {
  void* p = nullptr;
  std::thread([&] { p = frame_block_allocate(200); }).join();
  std::thread([&] {
    frame_block_deallocate(p, 200);
    EXPECT_EQ(frame_cache_blocks(), 1u);
  }).join();  // the thread's cache is freed at exit (ASan checks the leak)
}

TEST(FrameAllocator, TrimGivesTheCacheAndTheDepotBack) {
  std::thread([] {
    frame_cache_trim();
    std::vector<void*> blocks;
    for (int i = 0; i < 2000; ++i) blocks.push_back(frame_block_allocate(64));
    for (void* b : blocks) frame_block_deallocate(b, 64);  // spills batches to the depot
    EXPECT_GT(frame_cache_blocks(), 0u);
    EXPECT_LT(frame_cache_blocks(), 2000u);
    EXPECT_GE(frame_cache_trim(), 2000u);  // this thread's list and the depot's batches
    EXPECT_EQ(frame_cache_blocks(), 0u);
    EXPECT_EQ(frame_cache_trim(), 0u);
  }).join();
}

// A span goes back only once none of its blocks is in use.
TEST(FrameAllocator, TrimKeepsASpanWithABlockInUse) {
  std::thread([] {
    frame_cache_trim();
    std::vector<void*> blocks;
    for (int i = 0; i < 1000; ++i) blocks.push_back(frame_block_allocate(48));
    void* live = blocks.back();
    blocks.pop_back();
    for (void* b : blocks) frame_block_deallocate(b, 48);
    std::size_t first = frame_cache_trim();
    frame_block_deallocate(live, 48);
    std::size_t second = frame_cache_trim();
    if (frame_allocator_uses_spans()) {
      EXPECT_EQ(first, 0u);      // the live block pins its span: nothing goes back
      EXPECT_EQ(second, 1000u);  // now the whole span does
    } else {
      EXPECT_EQ(first, 999u);  // malloc'd blocks go back one by one
      EXPECT_EQ(second, 1u);
    }
    EXPECT_EQ(frame_cache_trim(), 0u);
  }).join();
}

// Blocks carved by a thread that has exited and freed by another come back
// with trim on the second thread (the exited thread's span was retired).
TEST(FrameAllocator, TrimReturnsSpansOfAnExitedThread) {
  std::vector<void*> blocks;
  std::thread([&] {
    frame_cache_trim();
    for (int i = 0; i < 500; ++i) blocks.push_back(frame_block_allocate(80));
  }).join();
  std::thread([&] {
    for (void* b : blocks) frame_block_deallocate(b, 80);
    EXPECT_GE(frame_cache_trim(), 500u);
    EXPECT_EQ(frame_cache_blocks(), 0u);
  }).join();
}
