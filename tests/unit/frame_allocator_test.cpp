#include "kyoto/detail/frame_allocator.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using namespace kyoto::detail;

TEST(FrameAllocator, RecyclesBlocksOfTheSameClass) {
  std::thread([] {
    void* a = frame_allocate(100);
    frame_deallocate(a, 100);
    EXPECT_EQ(frame_cache_blocks(), 1u);
    void* b = frame_allocate(110);  // same 16-byte class (97..112)
    EXPECT_EQ(a, b);
    EXPECT_EQ(frame_cache_blocks(), 0u);
    frame_deallocate(b, 110);
  }).join();
}

TEST(FrameAllocator, LargeFramesBypassTheCache) {
  std::thread([] {
    void* a = frame_allocate(1 << 20);
    frame_deallocate(a, 1 << 20);
    EXPECT_EQ(frame_cache_blocks(), 0u);
  }).join();
}

TEST(FrameAllocator, BlocksFreedOnAnotherThreadMigrate) {
  void* p = nullptr;
  std::thread([&] { p = frame_allocate(200); }).join();
  std::thread([&] {
    frame_deallocate(p, 200);
    EXPECT_EQ(frame_cache_blocks(), 1u);
  }).join();  // the thread's cache is freed at exit (ASan checks the leak)
}

TEST(FrameAllocator, TrimGivesTheCacheAndTheDepotBack) {
  std::thread([] {
    frame_cache_trim();
    std::vector<void*> blocks;
    for (int i = 0; i < 2000; ++i) blocks.push_back(frame_allocate(64));
    for (void* b : blocks) frame_deallocate(b, 64);  // spills batches to the depot
    EXPECT_GT(frame_cache_blocks(), 0u);
    EXPECT_LT(frame_cache_blocks(), 2000u);
    EXPECT_GE(frame_cache_trim(), 2000u);  // this thread's list and the depot's batches
    EXPECT_EQ(frame_cache_blocks(), 0u);
    EXPECT_EQ(frame_cache_trim(), 0u);
  }).join();
}
