#include <gtest/gtest.h>
#include <sys/socket.h>

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

io::io_slice bytes_of(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

static_assert(io::async_write_vectored<net::tcp_stream>);
static_assert(io::async_write_vectored<net::owned_write_half>);
static_assert(io::async_write_vectored<net::unix_stream>);
static_assert(io::async_write_vectored<io::pipe_writer>);
static_assert(io::async_write_vectored<io::duplex_stream>);
static_assert(!io::async_write_vectored<recording_writer<false>>);

TEST(IoWriteVectored, FallbackWritesTheFirstNonEmptySlice) {
  recording_writer<false> w;
  std::string a, b = "bravo", c = "charlie";
  std::array<io::io_slice, 3> slices{bytes_of(a), bytes_of(b), bytes_of(c)};
  auto n = block_on(io::write_vectored(w, slices));
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(w.data, "bravo");
  EXPECT_EQ(w.writes, 1);
}

TEST(IoWriteVectored, AllEmptySlicesWriteNothing) {
  recording_writer<true> w;
  std::string e;
  std::array<io::io_slice, 2> slices{bytes_of(e), bytes_of(e)};
  auto n = block_on(io::write_vectored(w, slices));
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);
  EXPECT_TRUE(block_on(io::write_all_vectored(w, slices)));
  EXPECT_EQ(w.vectored_writes + w.writes, 1);  // write_vectored's call only
}

// Partial writes that end inside a slice, exactly at a slice's end, and
// across several slices, with pending answers in between.
template <bool Vectored>
void write_all_vectored_in_pieces(std::size_t limit) {
  std::vector<std::string> parts{"", "a", "bc", "", "defghij", "k", "", "lmnopqrstuvwxyz", ""};
  std::vector<io::io_slice> slices;
  std::string want;
  for (const auto& p : parts) {
    slices.push_back(bytes_of(p));
    want += p;
  }
  recording_writer<Vectored> w(limit, /*stutter=*/true);
  auto r = block_on(io::write_all_vectored(w, slices));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(w.data, want) << "limit " << limit;
  for (std::size_t n : w.sizes) EXPECT_GT(n, 0u);
}

TEST(IoWriteVectored, WriteAllVectoredResumesInsideSlicesAfterPartialWrites) {
  for (std::size_t limit : {1u, 2u, 3u, 5u, 8u, 100u}) {
    write_all_vectored_in_pieces<true>(limit);
    write_all_vectored_in_pieces<false>(limit);
  }
}

TEST(IoWriteVectored, WriteAllVectoredUsesOneCallWhenTheWriterTakesEverything) {
  recording_writer<true> w;
  std::string a = "one ", b = "two ", c = "three";
  std::array<io::io_slice, 3> slices{bytes_of(a), bytes_of(b), bytes_of(c)};
  ASSERT_TRUE(block_on(io::write_all_vectored(w, slices)));
  EXPECT_EQ(w.data, "one two three");
  EXPECT_EQ(w.vectored_writes, 1);
  EXPECT_EQ(w.writes, 0);
}

TEST(IoWriteVectored, MoreSlicesThanOneCallTakesAreAllWritten) {
  std::vector<std::string> parts;
  std::vector<io::io_slice> slices;
  std::string want;
  for (int i = 0; i < 200; ++i) parts.push_back(std::to_string(i) + ";");
  for (const auto& p : parts) {
    slices.push_back(bytes_of(p));
    want += p;
  }
  recording_writer<true> w;
  ASSERT_TRUE(block_on(io::write_all_vectored(w, slices)));
  EXPECT_EQ(w.data, want);
  EXPECT_GE(w.vectored_writes, 4);  // at most 64 slices per call
}

TEST(IoWriteVectored, WriterTakingNothingIsWriteZero) {
  recording_writer<true> w(0);
  std::string a = "x";
  std::array<io::io_slice, 1> slices{bytes_of(a)};
  auto r = block_on(io::write_all_vectored(w, slices));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), io::errc::write_zero);
}

class IoWriteVectoredSockets : public every_flavor {
 protected:
  void SetUp() override { baseline_ = open_fd_count(); }
  void TearDown() override { EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors"; }
  std::size_t baseline_ = 0;
};
KYOTO_EVERY_FLAVOR(IoWriteVectoredSockets);

std::string pattern(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

// A reader that sleeps between small reads keeps the sender's socket
// buffer full, so writev is partial and EAGAIN many times.
template <class R>
task<std::string> read_slowly(R r, std::size_t total) {
  std::string got;
  std::vector<std::byte> buf(4096);
  for (int reads = 1; got.size() < total; ++reads) {
    auto n = co_await io::read(r, std::span(buf));
    if (!n || *n == 0) break;
    got.append(reinterpret_cast<const char*>(buf.data()), *n);
    if (reads % 8 == 0) co_await kyoto::sleep(std::chrono::microseconds(200));
  }
  co_return got;
}

TEST_P(IoWriteVectoredSockets, TcpWriteAllVectoredThroughManyPartialWrites) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(*net::socket_addr::parse("127.0.0.1:0"));
    KYOTO_CO_ASSERT(l);
    auto client = co_await net::tcp_stream::connect(*l->local_addr());
    KYOTO_CO_ASSERT(client);
    auto server = co_await l->accept();
    KYOTO_CO_ASSERT(server);
    int small = 4096;
    ::setsockopt(client->fd(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    ::setsockopt(server->first.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    std::vector<std::string> parts;
    std::string want;
    for (std::uint32_t i = 0; i < 40; ++i) {
      parts.push_back(pattern(1 + (i * 7919) % 12000, i));
      want += parts.back();
    }
    std::vector<io::io_slice> slices;
    for (const auto& p : parts) slices.push_back(bytes_of(p));
    auto reader = spawn(read_slowly<net::tcp_stream>(std::move(server->first), want.size()));
    auto [rd, wr] = std::move(*client).into_split();
    auto w = co_await io::write_all_vectored(wr, slices);
    EXPECT_TRUE(w) << w.error().message();
    auto got = co_await reader;
    KYOTO_CO_ASSERT(got);
    EXPECT_EQ(got->size(), want.size());
    EXPECT_TRUE(*got == want);
  }());
}

TEST_P(IoWriteVectoredSockets, UnixAndPipeWritersWriteEverySlice) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    std::string a = pattern(70000, 1), b = "middle", c = pattern(90000, 2);
    std::array<io::io_slice, 3> slices{bytes_of(a), bytes_of(b), bytes_of(c)};
    std::string want = a + b + c;
    {
      auto pair = net::unix_stream::pair();
      KYOTO_CO_ASSERT(pair);
      auto reader = spawn(read_slowly<net::unix_stream>(std::move(pair->second), want.size()));
      EXPECT_TRUE(co_await io::write_all_vectored(pair->first, slices));
      auto got = co_await reader;
      KYOTO_CO_ASSERT(got);
      EXPECT_TRUE(*got == want);
    }
    {
      auto p = io::pipe();
      KYOTO_CO_ASSERT(p);
      auto reader = spawn(read_slowly<io::pipe_reader>(std::move(p->first), want.size()));
      EXPECT_TRUE(co_await io::write_all_vectored(p->second, slices));
      auto got = co_await reader;
      KYOTO_CO_ASSERT(got);
      EXPECT_TRUE(*got == want);
    }
  }());
}

TEST(IoWriteVectored, PipeWriterAfterShutdownIsBrokenPipe) {
  auto rt = runtime::builder::current_thread().enable_all().build();
  rt.block_on([]() -> task<void> {
    auto p = io::pipe();
    KYOTO_CO_ASSERT(p);
    EXPECT_TRUE(co_await io::shutdown(p->second));
    std::string a = "x";
    std::array<io::io_slice, 1> slices{bytes_of(a)};
    auto r = co_await io::write_vectored(p->second, slices);
    KYOTO_CO_ASSERT(!r);
    EXPECT_EQ(r.error(), std::errc::broken_pipe);
  }());
}

}  // namespace
