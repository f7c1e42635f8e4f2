#include <gtest/gtest.h>

#include <string>
#include <system_error>

#include "io_mocks.hpp"
#include "kyoto/kyoto.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

std::string text_of(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST(IoFillBuf, GivesTheBufferedBytesAndConsumeMarksThemUsed) {
  io::buf_reader in(scripted_reader("abcdefgh", 5, /*stutter=*/true), 4);
  auto first = block_on(io::fill_buf(in));
  ASSERT_TRUE(first);
  EXPECT_EQ(text_of(*first), "abcd");  // at most the buffer's capacity
  in.consume(1);
  auto again = block_on(io::fill_buf(in));  // no read: the buffer still holds bytes
  ASSERT_TRUE(again);
  EXPECT_EQ(text_of(*again), "bcd");
  in.consume(3);
  std::string rest;
  for (;;) {
    auto have = block_on(io::fill_buf(in));
    ASSERT_TRUE(have);
    if (have->empty()) break;  // end of stream
    rest += text_of(*have);
    in.consume(have->size());
  }
  EXPECT_EQ(rest, "efgh");
}

TEST(IoFillBuf, ReadErrorIsReturned) {
  scripted_reader r("", 4);
  r.error = std::make_error_code(std::errc::io_error);
  io::buf_reader in(std::move(r));
  auto have = block_on(io::fill_buf(in));
  ASSERT_FALSE(have);
  EXPECT_EQ(have.error(), std::errc::io_error);
}

}  // namespace
