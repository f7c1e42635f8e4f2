#include "kyoto/detail/frame_allocator.hpp"

#include <gtest/gtest.h>

#include <thread>

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
