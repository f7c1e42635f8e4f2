#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "co_assert.hpp"
#include "fd_count.hpp"
#include "io_mocks.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

io::io_slice bytes_of(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

static_assert(io::async_write<io::buf_writer<net::tcp_stream>>);
static_assert(io::async_read<io::buf_writer<net::tcp_stream>>);  // reads forwarded
static_assert(io::async_write_vectored<io::buf_writer<recording_writer<false>>>);
static_assert(!io::async_read<io::buf_writer<recording_writer<false>>>);

TEST(IoBufWriter, DefaultCapacityIs8KiB) {
  io::buf_writer w(recording_writer<false>{});
  EXPECT_EQ(w.capacity(), 8u * 1024);
  auto w2 = io::buf_writer<recording_writer<false>>::with_capacity(100, recording_writer<false>{});
  EXPECT_EQ(w2.capacity(), 100u);
}

TEST(IoBufWriter, SmallWritesStayBufferedUntilFlush) {
  io::buf_writer w(recording_writer<false>{}, 16);
  ASSERT_TRUE(block_on(io::write_all(w, "abc")));
  ASSERT_TRUE(block_on(io::write_all(w, "defg")));
  EXPECT_EQ(w.get_ref().data, "");
  EXPECT_EQ(w.buffer().size(), 7u);
  ASSERT_TRUE(block_on(io::flush(w)));
  EXPECT_EQ(w.get_ref().data, "abcdefg");
  EXPECT_EQ(w.get_ref().writes, 1);
  EXPECT_EQ(w.get_ref().flushes, 1);
  EXPECT_TRUE(w.buffer().empty());
}

TEST(IoBufWriter, AWriteThatDoesNotFitSendsTheBufferFirst) {
  io::buf_writer w(recording_writer<false>{}, 8);
  ASSERT_TRUE(block_on(io::write_all(w, "12345")));
  ASSERT_TRUE(block_on(io::write_all(w, "6789")));  // 5 + 4 > 8
  EXPECT_EQ(w.get_ref().data, "12345");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(w.buffer().data()), w.buffer().size()),
            "6789");
  ASSERT_TRUE(block_on(io::flush(w)));
  EXPECT_EQ(w.get_ref().data, "123456789");
}

TEST(IoBufWriter, LargeWritesBypassTheBuffer) {
  io::buf_writer w(recording_writer<false>{}, 8);
  std::string big(100, 'x');
  ASSERT_TRUE(block_on(io::write_all(w, big)));
  EXPECT_EQ(w.get_ref().data, big);
  EXPECT_EQ(w.get_ref().writes, 1);  // one call, no copy through the buffer
  EXPECT_TRUE(w.buffer().empty());
}

TEST(IoBufWriter, BufferedBytesAndALargeWriteGoInOneVectoredWrite) {
  io::buf_writer w(recording_writer<true>{}, 8);
  ASSERT_TRUE(block_on(io::write_all(w, "head")));
  std::string body(50, 'b');
  ASSERT_TRUE(block_on(io::write_all(w, body)));
  EXPECT_EQ(w.get_ref().data, "head" + body);
  EXPECT_EQ(w.get_ref().vectored_writes, 1);
  EXPECT_EQ(w.get_ref().writes, 0);
}

// An inner writer that takes a few bytes per call and is pending every
// other call: every byte still arrives once, in order.
TEST(IoBufWriter, PartialInnerWritesKeepOrder) {
  for (std::size_t limit : {1u, 3u, 7u, 13u}) {
    for (bool vectored : {false, true}) {
      std::string want;
      std::mt19937 rng(static_cast<std::uint32_t>(limit));
      auto run = [&](auto inner) {
        io::buf_writer w(std::move(inner), 16);
        for (int i = 0; i < 200; ++i) {
          std::string piece(rng() % 40, static_cast<char>('a' + i % 26));
          want += piece;
          auto r = block_on(io::write_all(w, piece));
          EXPECT_TRUE(r);
        }
        EXPECT_TRUE(block_on(io::shutdown(w)));
        EXPECT_TRUE(w.get_ref().shut_down);
        EXPECT_EQ(w.get_ref().data, want) << "limit " << limit << " vectored " << vectored;
      };
      if (vectored) {
        run(recording_writer<true>(limit, true));
      } else {
        run(recording_writer<false>(limit, true));
      }
    }
  }
}

TEST(IoBufWriter, VectoredWritesIntoTheBuffer) {
  io::buf_writer w(recording_writer<true>{}, 32);
  std::array<io::io_slice, 3> slices{bytes_of("ab"), bytes_of("cd"), bytes_of("ef")};
  ASSERT_TRUE(block_on(io::write_all_vectored(w, slices)));
  EXPECT_EQ(w.get_ref().data, "");
  std::string x(20, 'x'), y(20, 'y');  // 6 + 40 > 32: the buffer goes first, then these directly
  std::array<io::io_slice, 2> big{bytes_of(x), bytes_of(y)};
  ASSERT_TRUE(block_on(io::write_all_vectored(w, big)));
  EXPECT_TRUE(w.buffer().empty());
  EXPECT_EQ(w.get_ref().data, "abcdef" + x + y);
}

TEST(IoBufWriter, ShutdownFlushesFirst) {
  io::buf_writer w(recording_writer<false>{});
  ASSERT_TRUE(block_on(io::write_all(w, "last words")));
  ASSERT_TRUE(block_on(io::shutdown(w)));
  EXPECT_EQ(w.get_ref().data, "last words");
  EXPECT_TRUE(w.get_ref().shut_down);
}

TEST(IoBufWriter, InnerErrorIsReturnedAndTheBufferKept) {
  recording_writer<false> inner;
  inner.error = std::make_error_code(std::errc::connection_reset);
  io::buf_writer w(std::move(inner), 8);
  ASSERT_TRUE(block_on(io::write_all(w, "abc")));  // buffered: no error yet
  auto r = block_on(io::flush(w));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::connection_reset);
  EXPECT_EQ(w.buffer().size(), 3u);
}

TEST(IoBufWriter, IntoInnerAndGetMutGiveTheWriter) {
  io::buf_writer w(recording_writer<false>{});
  w.get_mut().data = "direct ";
  ASSERT_TRUE(block_on(io::write_all(w, "buffered")));
  ASSERT_TRUE(block_on(io::flush(w)));
  recording_writer<false> inner = std::move(w).into_inner();
  EXPECT_EQ(inner.data, "direct buffered");
}

TEST(IoBufWriter, WrapsAWriterByReference) {
  recording_writer<false> inner;
  {
    io::buf_writer<recording_writer<false>&> w(inner);
    ASSERT_TRUE(block_on(io::write_all(w, "by ref")));
    ASSERT_TRUE(block_on(io::flush(w)));
  }
  EXPECT_EQ(inner.data, "by ref");
}

class IoBufWriterSockets : public every_flavor {
 protected:
  void SetUp() override { baseline_ = open_fd_count(); }
  void TearDown() override { EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors"; }
  std::size_t baseline_ = 0;
};
KYOTO_EVERY_FLAVOR(IoBufWriterSockets);

// Many small writes through a buf_writer over TCP, the peer echoes through
// the same stream (reads are forwarded), every byte checked.
TEST_P(IoBufWriterSockets, OverTcpWithReadsForwarded) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(*net::socket_addr::parse("127.0.0.1:0"));
    KYOTO_CO_ASSERT(l);
    auto c = co_await net::tcp_stream::connect(*l->local_addr());
    KYOTO_CO_ASSERT(c);
    auto s = co_await l->accept();
    KYOTO_CO_ASSERT(s);
    io::buf_writer out(std::move(*c));
    std::string want;
    for (int i = 0; i < 5000; ++i) {
      std::string line = "line " + std::to_string(i) + "\n";
      want += line;
      KYOTO_CO_ASSERT(co_await io::write_all(out, line));
    }
    KYOTO_CO_ASSERT(co_await io::shutdown(out));
    std::string got;
    KYOTO_CO_ASSERT(co_await io::read_to_string(s->first, got));
    EXPECT_TRUE(got == want);
    KYOTO_CO_ASSERT(co_await io::write_all(s->first, "back"));
    KYOTO_CO_ASSERT(co_await io::shutdown(s->first));
    std::string back;
    KYOTO_CO_ASSERT(co_await io::read_to_string(out, back));  // poll_read forwarded
    EXPECT_EQ(back, "back");
  }());
}

}  // namespace
