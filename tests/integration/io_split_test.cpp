#include <gtest/gtest.h>

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

static_assert(io::detail::concurrent_read_write<net::tcp_stream>);
static_assert(io::detail::concurrent_read_write<net::unix_stream>);
static_assert(io::detail::concurrent_read_write<io::duplex_stream>);
static_assert(!io::detail::concurrent_read_write<io::buf_writer<net::tcp_stream>>);
static_assert(io::async_read<io::read_half<net::tcp_stream>>);
static_assert(io::async_write_vectored<io::write_half<net::tcp_stream>>);

std::string pattern(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

class IoSplit : public every_flavor {
 protected:
  void SetUp() override { baseline_ = open_fd_count(); }
  void TearDown() override { EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors"; }
  std::size_t baseline_ = 0;
};
KYOTO_EVERY_FLAVOR(IoSplit);

template <class H>
task<bool> write_then_shutdown(H w, std::string text, std::size_t piece) {
  for (std::size_t i = 0; i < text.size(); i += piece) {
    if (!co_await io::write_all(w, std::string_view(text).substr(i, piece))) co_return false;
  }
  co_return static_cast<bool>(co_await io::shutdown(w));
}

template <class H>
task<std::string> read_all(H r) {
  std::string got;
  EXPECT_TRUE(co_await io::read_to_string(r, got));
  co_return got;
}

// Both halves of one stream in two tasks (on a multi-thread runtime, two
// threads) at once: each direction carries its bytes intact.
template <class Stream>
task<void> halves_in_two_tasks(Stream mine, Stream theirs) {
  std::string out = pattern(1u << 20, 1), in = pattern(700000, 2);
  auto [rd, wr] = io::split(std::move(mine));
  auto [prd, pwr] = io::split(std::move(theirs));
  auto w1 = spawn(write_then_shutdown<io::write_half<Stream>>(std::move(wr), out, 10000));
  auto r1 = spawn(read_all<io::read_half<Stream>>(std::move(rd)));
  auto w2 = spawn(write_then_shutdown<io::write_half<Stream>>(std::move(pwr), in, 3000));
  auto r2 = spawn(read_all<io::read_half<Stream>>(std::move(prd)));
  auto a = co_await w1;
  auto b = co_await w2;
  EXPECT_TRUE(a && *a);
  EXPECT_TRUE(b && *b);
  auto got_in = co_await r1;
  auto got_out = co_await r2;
  KYOTO_CO_ASSERT(got_in && got_out);
  EXPECT_TRUE(*got_in == in);
  EXPECT_TRUE(*got_out == out);
}

TEST_P(IoSplit, TcpHalvesFromTwoTasks) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(*net::socket_addr::parse("127.0.0.1:0"));
    KYOTO_CO_ASSERT(l);
    auto c = co_await net::tcp_stream::connect(*l->local_addr());
    KYOTO_CO_ASSERT(c);
    auto s = co_await l->accept();
    KYOTO_CO_ASSERT(s);
    co_await halves_in_two_tasks(std::move(*c), std::move(s->first));
  }());
}

TEST_P(IoSplit, DuplexHalvesFromTwoTasks) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto [a, b] = io::duplex(8192);
    co_await halves_in_two_tasks(std::move(a), std::move(b));
  }());
}

// A stream that is not concurrent_read_write: its halves share a lock.
TEST_P(IoSplit, LockedHalvesFromTwoTasks) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto [a, b] = io::duplex(8192);
    using locked = io::buf_writer<io::duplex_stream>;
    static_assert(!io::detail::concurrent_read_write<locked>);
    co_await halves_in_two_tasks(locked(std::move(a), 1000), locked(std::move(b), 333));
  }());
}

TEST_P(IoSplit, ReuniteGivesTheStreamBack) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto [a, b] = io::duplex(64);
    auto [rd, wr] = io::split(std::move(a));
    EXPECT_TRUE(rd.is_pair_of(wr));
    EXPECT_TRUE(wr.is_pair_of(rd));
    auto back = io::reunite(std::move(rd), std::move(wr));
    KYOTO_CO_ASSERT(back);
    KYOTO_CO_ASSERT(co_await io::write_all(*back, "whole"));
    std::array<std::byte, 5> got{};
    KYOTO_CO_ASSERT(co_await io::read_exact(b, got));
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(got.data()), 5), "whole");
  }());
}

TEST(IoSplitOnce, ReuniteOfHalvesFromDifferentSplitsFailsAndGivesThemBack) {
  auto [a, b] = io::duplex(64);
  auto [rd_a, wr_a] = io::split(std::move(a));
  auto [rd_b, wr_b] = io::split(std::move(b));
  EXPECT_FALSE(rd_a.is_pair_of(wr_b));
  auto bad = std::move(rd_a).unsplit(std::move(wr_b));
  ASSERT_FALSE(bad);
  EXPECT_NE(std::string(bad.error().what()).find("different splits"), std::string::npos);
  // Both halves are given back, still usable: put them with their pairs.
  io::read_half<io::duplex_stream> rd = std::move(bad.error().read);
  io::write_half<io::duplex_stream> wr = std::move(bad.error().write);
  EXPECT_TRUE(rd.is_pair_of(wr_a));
  EXPECT_TRUE(rd_b.is_pair_of(wr));
  auto one = io::reunite(std::move(rd), std::move(wr_a));
  auto two = io::reunite(std::move(rd_b), std::move(wr));
  EXPECT_TRUE(one);
  EXPECT_TRUE(two);
  ASSERT_TRUE(block_on(io::write_all(*one, "x")));
  std::array<std::byte, 1> got{};
  ASSERT_TRUE(block_on(io::read_exact(*two, got)));
  EXPECT_EQ(got[0], std::byte{'x'});
}

TEST(IoSplitOnce, DroppingTheWriteHalfDoesNotShutTheStreamDown) {
  auto [a, b] = io::duplex(64);
  auto [rd, wr] = io::split(std::move(a));
  { auto drop = std::move(wr); }
  // The stream lives on in the read half: b can still write to it.
  ASSERT_TRUE(block_on(io::write_all(b, "still")));
  std::array<std::byte, 5> got{};
  ASSERT_TRUE(block_on(io::read_exact(rd, got)));
}

TEST(IoSplitOnce, WriteHalfForwardsVectoredWrites) {
  auto [a, b] = io::duplex(64);
  auto [rd, wr] = io::split(io::buf_writer(std::move(a), 4));
  std::string x(10, 'x'), y(10, 'y');
  std::array<io::io_slice, 2> slices{std::as_bytes(std::span(x)), std::as_bytes(std::span(y))};
  ASSERT_TRUE(block_on(io::write_all_vectored(wr, slices)));
  ASSERT_TRUE(block_on(io::flush(wr)));
  std::array<std::byte, 20> got{};
  ASSERT_TRUE(block_on(io::read_exact(b, got)));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(got.data()), got.size()), x + y);
  ASSERT_TRUE(block_on(io::write_all(b, "r")));
  std::array<std::byte, 1> one{};
  ASSERT_TRUE(block_on(io::read_exact(rd, one)));  // reads pass through the buf_writer
}

}  // namespace
