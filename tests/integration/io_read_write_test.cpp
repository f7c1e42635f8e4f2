#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

#include "kyoto/kyoto.hpp"

using namespace kyoto;

namespace {

// Writes `text` in pieces of `piece` bytes through the duplex, then shuts
// the writing side down (the reader sees the end of the stream).
task<void> write_in_pieces(io::duplex_stream w, std::string text, std::size_t piece) {
  for (std::size_t i = 0; i < text.size(); i += piece) {
    auto r = co_await io::write_all(w, std::string_view(text).substr(i, piece));
    EXPECT_TRUE(r);
    co_await yield_now();
  }
  EXPECT_TRUE(co_await io::shutdown(w));
}

TEST(IoHelpers, ReadExactFailsWithUnexpectedEof) {
  auto [a, b] = io::duplex(64);
  ASSERT_TRUE(block_on(io::write_all(a, "abc")));
  { auto drop = std::move(a); }
  std::array<std::byte, 5> buf{};
  auto r = block_on(io::read_exact(b, buf));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), io::errc::unexpected_eof);
  EXPECT_EQ(r.error().message(), "unexpected end of stream");
}

TEST(IoHelpers, ReadToStringReadsEverythingUntilTheEnd) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).build();
  std::string big;
  for (int i = 0; i < 5000; ++i) big += std::to_string(i) + ",";
  std::string got;
  auto n =
      rt.block_on([](const std::string& text, std::string& out) -> task<io::result<std::size_t>> {
        auto [a, b] = io::duplex(1024);  // much smaller than the text: the writer waits
        auto writer = kyoto::spawn(write_in_pieces(std::move(a), text, 1000));
        auto r = co_await io::read_to_string(b, out);
        EXPECT_TRUE(co_await writer);
        co_return r;
      }(big, got));
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, big.size());
  EXPECT_EQ(got, big);
}

}  // namespace
