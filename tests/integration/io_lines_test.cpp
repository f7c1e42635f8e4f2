#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

class IoLines : public every_flavor {};
KYOTO_EVERY_FLAVOR(IoLines);

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

task<std::vector<std::string>> collect_lines(io::duplex_stream r, std::size_t max_line,
                                             std::vector<std::error_code>& errors) {
  auto ls = io::buf_reader(std::move(r), 4).lines(max_line);
  std::vector<std::string> out;
  while (auto line = co_await next(ls)) {
    if (*line) {
      out.push_back(**line);
    } else {
      errors.push_back(line->error());
    }
  }
  co_return out;
}

TEST_P(IoLines, LinesAcrossTinyChunksStripNewlinesAndKeepTheLastLine) {
  auto rt = make();
  std::vector<std::error_code> errors;
  auto lines =
      rt.block_on([](std::vector<std::error_code>& errs) -> task<std::vector<std::string>> {
        auto [a, b] = io::duplex(3);  // the writer waits for the reader every 3 bytes
        auto writer =
            kyoto::spawn(write_in_pieces(std::move(a), "alpha\nbeta\r\n\ngam\rma\nlast", 2));
        auto got =
            co_await collect_lines(std::move(b), io::buf_reader<io::duplex_stream>::no_limit, errs);
        EXPECT_TRUE(co_await writer);
        co_return got;
      }(errors));
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(lines, (std::vector<std::string>{"alpha", "beta", "", "gam\rma", "last"}));
}

TEST_P(IoLines, ALineOverTheLimitIsAnErrorAndTheNextLinesStillCome) {
  auto rt = make();
  std::vector<std::error_code> errors;
  auto lines =
      rt.block_on([](std::vector<std::error_code>& errs) -> task<std::vector<std::string>> {
        auto [a, b] = io::duplex(5);
        std::string text = "short\n" + std::string(100, 'x') + "\nok\n" + std::string(50, 'y');
        auto writer = kyoto::spawn(write_in_pieces(std::move(a), text, 7));
        auto got = co_await collect_lines(std::move(b), 8, errs);
        EXPECT_TRUE(co_await writer);
        co_return got;
      }(errors));
  EXPECT_EQ(lines, (std::vector<std::string>{"short", "ok"}));
  ASSERT_EQ(errors.size(), 2u);  // the 100-byte line and the unterminated 50-byte one
  EXPECT_EQ(errors[0], io::errc::line_too_long);
  EXPECT_EQ(errors[0].message(), "line longer than the limit");
}

// A reader that hands out its text in pieces and then fails.
struct failing_reader {
  std::string text;
  std::size_t pos = 0;
  poll_result<io::result<void>> poll_read(context&, io::read_buf& buf) {
    if (pos == text.size()) return io::result<void>(err(std::make_error_code(std::errc::io_error)));
    std::size_t n = std::min<std::size_t>({3, buf.remaining(), text.size() - pos});
    buf.put(std::as_bytes(std::span(text.data() + pos, n)));
    pos += n;
    return io::result<void>();
  }
};
static_assert(io::async_read<failing_reader>);
static_assert(stream<io::lines<io::buf_reader<failing_reader>>>);

TEST(IoLinesErrors, AReadErrorIsYieldedAsAnItem) {
  auto ls = io::buf_reader(failing_reader{"one\ntw", 0}, 4).lines();
  auto items = block_on(collect(take(std::move(ls), 2)));
  ASSERT_EQ(items.size(), 2u);
  ASSERT_TRUE(items[0]);
  EXPECT_EQ(*items[0], "one");
  ASSERT_FALSE(items[1]);
  EXPECT_EQ(items[1].error(), std::errc::io_error);
}

TEST(IoLinesCancel, DroppingAPendingNextLosesNoBytes) {
  auto [a, b] = io::duplex(64);
  auto ls = io::buf_reader(std::move(b)).lines();
  waker w = waker::noop();
  context cx(w);
  ASSERT_TRUE(block_on(io::write_all(a, "hel")));
  {
    auto n = next(ls);
    EXPECT_TRUE(n.poll(cx).is_pending());  // "hel" is taken in, then it waits
  }                                        // dropped while pending
  ASSERT_TRUE(block_on(io::write_all(a, "lo\nworld\n")));
  auto first = block_on(next(ls));
  ASSERT_TRUE(first && *first);
  EXPECT_EQ(**first, "hello");
  auto second = block_on(next(ls));
  ASSERT_TRUE(second && *second);
  EXPECT_EQ(**second, "world");
}

TEST(IoReadLine, AppendsThroughTheNewlineAndReturnsZeroAtTheEnd) {
  auto [a, b] = io::duplex(64);
  ASSERT_TRUE(block_on(io::write_all(a, "first\nsecond")));
  ASSERT_TRUE(block_on(io::shutdown(a)));
  io::buf_reader r(std::move(b));
  std::string line;
  EXPECT_EQ(block_on(r.read_line(line)).value(), 6u);
  EXPECT_EQ(line, "first\n");
  EXPECT_EQ(block_on(r.read_line(line)).value(), 6u);
  EXPECT_EQ(line, "first\nsecond");
  EXPECT_EQ(block_on(r.read_line(line)).value(), 0u);
}

}  // namespace
