#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
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

// A reader of `data` in pieces of at most 7 bytes, pending every other
// poll, that reports a (possibly wrong) read_size_hint.
class hinted_reader {
 public:
  hinted_reader(std::string data, std::optional<std::size_t> hint)
      : data_(std::move(data)), hint_(hint) {}
  std::optional<std::size_t> read_size_hint() const { return hint_; }
  poll_result<io::result<void>> poll_read(context& cx, io::read_buf& buf) {
    if ((flip_ = !flip_)) {
      cx.waker().wake_by_ref();
      return pending;
    }
    std::size_t n = std::min({buf.remaining(), data_.size() - pos_, std::size_t{7}});
    buf.put(std::as_bytes(std::span(data_.data() + pos_, n)));
    pos_ += n;
    return io::result<void>();
  }

 private:
  std::string data_;
  std::optional<std::size_t> hint_;
  std::size_t pos_ = 0;
  bool flip_ = false;
};
static_assert(io::has_read_size_hint<hinted_reader>);

TEST(IoHelpers, ReadToEndTakesTheSizeHintAsAHintOnly) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += std::to_string(i) + ";";
  for (std::optional<std::size_t> hint :
       {std::optional<std::size_t>(), std::optional<std::size_t>(0), std::optional<std::size_t>(1),
        std::optional<std::size_t>(text.size() - 1), std::optional<std::size_t>(text.size()),
        std::optional<std::size_t>(text.size() + 1), std::optional<std::size_t>(text.size() * 10),
        std::optional<std::size_t>(std::numeric_limits<std::size_t>::max())}) {
    hinted_reader r(text, hint);
    std::string got = "pre:";
    auto n = block_on(io::read_to_string(r, got));
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, text.size());
    EXPECT_EQ(got, "pre:" + text);
  }
}

}  // namespace
