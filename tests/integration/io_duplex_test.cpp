#include <gtest/gtest.h>

#include <array>
#include <system_error>

#include "kyoto/kyoto.hpp"

using namespace kyoto;

namespace {

TEST(IoHelpers, WritingToADroppedPeerIsABrokenPipe) {
  auto [a, b] = io::duplex(4);
  { auto drop = std::move(b); }
  auto r = block_on(io::write_all(a, "data"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::broken_pipe);
}

TEST(IoHelpers, AFullDuplexMakesTheWriterWaitUntilTheReaderReads) {
  auto [a, b] = io::duplex(4);
  waker w = waker::noop();
  context cx(w);
  auto write = io::write_all(a, "0123456789");
  EXPECT_TRUE(write.poll(cx).is_pending());  // 4 bytes in, no room for more
  std::array<std::byte, 8> buf{};
  EXPECT_EQ(block_on(io::read(b, buf)).value(), 4u);
  EXPECT_TRUE(write.poll(cx).is_pending());  // 4 more
  EXPECT_EQ(block_on(io::read(b, buf)).value(), 4u);
  auto done = write.poll(cx);
  ASSERT_TRUE(done.is_ready());
  EXPECT_TRUE(done.value());
  EXPECT_EQ(block_on(io::read(b, buf)).value(), 2u);
}

}  // namespace
