#include <gtest/gtest.h>

#include <array>
#include <cstdint>
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

std::string pattern(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

class IoCopy : public every_flavor {
 protected:
  void SetUp() override { baseline_ = open_fd_count(); }
  void TearDown() override { EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors"; }
  std::size_t baseline_ = 0;
};
KYOTO_EVERY_FLAVOR(IoCopy);

// Writes `text` in pieces, then shuts the writer down.
template <class W>
task<bool> send_all(W w, std::string text, std::size_t piece) {
  for (std::size_t i = 0; i < text.size(); i += piece) {
    if (!co_await io::write_all(w, std::string_view(text).substr(i, piece))) co_return false;
  }
  co_return static_cast<bool>(co_await io::shutdown(w));
}

template <class R>
task<std::string> receive_all(R r) {
  std::string got;
  auto n = co_await io::read_to_string(r, got);
  EXPECT_TRUE(n) << n.error().message();
  co_return got;
}

TEST(IoCopyMocks, CopiesEveryByteThroughPartialReadsAndWrites) {
  std::string text = pattern(100000, 1);
  scripted_reader r(text, 777, /*stutter=*/true);
  recording_writer<false> w(333, /*stutter=*/true);
  auto n = block_on(io::copy(r, w));
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, text.size());
  EXPECT_TRUE(w.data == text);
  EXPECT_GE(w.flushes, 1);    // flushed at the end
  EXPECT_FALSE(w.shut_down);  // copy does not shut the writer down
}

TEST(IoCopyMocks, ReaderErrorIsReturned) {
  scripted_reader r("some bytes", 4);
  r.error = std::make_error_code(std::errc::connection_reset);
  recording_writer<false> w;
  auto n = block_on(io::copy(r, w));
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error(), std::errc::connection_reset);
  EXPECT_EQ(w.data, "some bytes");  // what came before the error was copied
}

TEST(IoCopyMocks, WriterErrorIsReturned) {
  scripted_reader r(pattern(50000, 2), 1000);
  recording_writer<false> w;
  w.error = std::make_error_code(std::errc::broken_pipe);
  w.fail_after = 5000;
  auto n = block_on(io::copy(r, w));
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error(), std::errc::broken_pipe);
}

TEST(IoCopyMocks, WriterTakingNothingIsWriteZero) {
  scripted_reader r("abc", 10);
  recording_writer<false> w(0);
  auto n = block_on(io::copy(r, w));
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error(), io::errc::write_zero);
}

TEST(IoCopyMocks, CopyBufWritesStraightFromTheReadersBuffer) {
  std::string text = pattern(30000, 3);
  io::buf_reader in(scripted_reader(text, 999, true), 512);
  recording_writer<false> w(200, true);
  auto n = block_on(io::copy_buf(in, w));
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, text.size());
  EXPECT_TRUE(w.data == text);
  for (std::size_t k : w.sizes) EXPECT_LE(k, 200u);
}

TEST(IoCopyMocks, CopyBufReturnsTheReadersError) {
  scripted_reader r("xyz", 2);
  r.error = std::make_error_code(std::errc::io_error);
  io::buf_reader in(std::move(r));
  recording_writer<false> w;
  auto n = block_on(io::copy_buf(in, w));
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error(), std::errc::io_error);
  EXPECT_EQ(w.data, "xyz");
}

TEST_P(IoCopy, SixteenMiBOverDuplexEveryByteChecked) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    constexpr std::size_t size = 16u << 20;
    std::string text = pattern(size, 4);
    auto [src_w, src_r] = io::duplex(64 * 1024);
    auto [dst_w, dst_r] = io::duplex(64 * 1024);
    auto sender = spawn(send_all<io::duplex_stream>(std::move(src_w), text, 100000));
    auto receiver = spawn(receive_all<io::duplex_stream>(std::move(dst_r)));
    auto n = co_await io::copy(src_r, dst_w);
    KYOTO_CO_ASSERT(n);
    EXPECT_EQ(*n, size);
    { auto done = std::move(dst_w); }  // the receiver's end of stream
    auto sent = co_await sender;
    EXPECT_TRUE(sent && *sent);
    auto got = co_await receiver;
    KYOTO_CO_ASSERT(got);
    EXPECT_EQ(got->size(), size);
    EXPECT_TRUE(*got == text);
  }());
}

TEST_P(IoCopy, WriterGoneIsBrokenPipe) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto [src_w, src_r] = io::duplex(1024);
    auto [dst_w, dst_r] = io::duplex(1024);
    { auto gone = std::move(dst_r); }
    auto sender = spawn(send_all<io::duplex_stream>(std::move(src_w), pattern(10000, 5), 100));
    auto n = co_await io::copy(src_r, dst_w);
    KYOTO_CO_ASSERT(!n);
    EXPECT_EQ(n.error(), std::errc::broken_pipe);
    { auto stop = std::move(src_r); }  // the sender's writes now fail too
    (void)co_await sender;
  }());
}

// While the reader has nothing, copy flushes the writer: bytes a buf_writer
// holds reach the peer without the reader ending.
TEST_P(IoCopy, FlushesABufferedWriterWhileTheReaderWaits) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto [src_w, src_r] = io::duplex(1024);
    auto [dst_w, dst_r] = io::duplex(1024);
    io::buf_writer out(std::move(dst_w));
    auto copier =
        spawn([](io::duplex_stream& r, io::buf_writer<io::duplex_stream>& w)
                  -> task<io::result<std::uint64_t>> { co_return co_await io::copy(r, w); },
              std::ref(src_r), std::ref(out));
    KYOTO_CO_ASSERT(co_await io::write_all(src_w, "ping"));
    std::array<std::byte, 4> got{};
    auto r = co_await timeout(std::chrono::seconds(10), io::read_exact(dst_r, got));
    KYOTO_CO_ASSERT(r);
    EXPECT_TRUE(*r);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(got.data()), 4), "ping");
    KYOTO_CO_ASSERT(co_await io::shutdown(src_w));
    auto n = co_await copier;
    KYOTO_CO_ASSERT(n && *n);
    EXPECT_EQ(**n, 4u);
  }());
}

// A proxy between two TCP sockets: client <-> proxy <-> server. Every byte
// is checked both ways, and the client's half-close reaches the server as
// the end of its reads while the server's answer still flows back.
task<std::pair<std::uint64_t, std::uint64_t>> proxy_one(net::tcp_listener& front,
                                                        net::socket_addr upstream) {
  auto in = co_await front.accept();
  EXPECT_TRUE(in);
  if (!in) co_return std::pair<std::uint64_t, std::uint64_t>{};
  auto out = co_await net::tcp_stream::connect(upstream);
  EXPECT_TRUE(out);
  if (!out) co_return std::pair<std::uint64_t, std::uint64_t>{};
  auto r = co_await io::copy_bidirectional(in->first, *out);
  EXPECT_TRUE(r) << r.error().message();
  if (!r) co_return std::pair<std::uint64_t, std::uint64_t>{};
  co_return *r;
}

task<std::string> upstream_server(net::tcp_listener& l, std::string answer) {
  auto c = co_await l.accept();
  EXPECT_TRUE(c);
  if (!c) co_return std::string();
  std::string got;
  auto n = co_await io::read_to_string(c->first, got);  // ends at the client's half-close
  EXPECT_TRUE(n);
  EXPECT_TRUE(co_await io::write_all(c->first, answer));
  EXPECT_TRUE(co_await io::shutdown(c->first));
  co_return got;
}

TEST_P(IoCopy, BidirectionalProxyOverTcpPropagatesHalfClose) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto any = *net::socket_addr::parse("127.0.0.1:0");
    auto front = net::tcp_listener::bind(any);
    auto back = net::tcp_listener::bind(any);
    KYOTO_CO_ASSERT(front && back);
    std::string request = pattern(3u << 20, 6), answer = pattern(2u << 20, 7);
    auto server = spawn(upstream_server(*back, answer));
    auto proxy = spawn(proxy_one(*front, *back->local_addr()));
    auto client = co_await net::tcp_stream::connect(*front->local_addr());
    KYOTO_CO_ASSERT(client);
    auto [rd, wr] = std::move(*client).into_split();
    auto sent = spawn(send_all<net::owned_write_half>(std::move(wr), request, 50000));
    std::string reply;
    auto n = co_await io::read_to_string(rd, reply);
    KYOTO_CO_ASSERT(n);
    EXPECT_EQ(reply.size(), answer.size());
    EXPECT_TRUE(reply == answer);
    auto s = co_await sent;
    EXPECT_TRUE(s && *s);
    auto got = co_await server;
    KYOTO_CO_ASSERT(got);
    EXPECT_EQ(got->size(), request.size());
    EXPECT_TRUE(*got == request);
    auto counts = co_await proxy;
    KYOTO_CO_ASSERT(counts);
    EXPECT_EQ(counts->first, request.size());
    EXPECT_EQ(counts->second, answer.size());
  }());
}

task<bool> write_then_shutdown(io::duplex_stream& s, std::string text, std::size_t piece) {
  for (std::size_t i = 0; i < text.size(); i += piece) {
    if (!co_await io::write_all(s, std::string_view(text).substr(i, piece))) co_return false;
  }
  co_return static_cast<bool>(co_await io::shutdown(s));
}

task<std::string> read_all(io::duplex_stream& s) {
  std::string got;
  EXPECT_TRUE(co_await io::read_to_string(s, got));
  co_return got;
}

// One end of a connection that sends `text` (then half-closes) while it
// reads everything the other side sends.
task<std::string> peer(io::duplex_stream s, std::string text, std::size_t piece) {
  auto [ok, got] = co_await join(write_then_shutdown(s, std::move(text), piece), read_all(s));
  EXPECT_TRUE(ok);
  co_return got;
}

TEST_P(IoCopy, BidirectionalOverDuplexShutsEachWriteSideDown) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto [a_user, a] = io::duplex(4096);
    auto [b, b_user] = io::duplex(4096);
    std::string one = pattern(200000, 8), two = pattern(150000, 9);
    auto p1 = spawn(peer(std::move(a_user), one, 3000));
    auto p2 = spawn(peer(std::move(b_user), two, 7000));
    auto r = co_await io::copy_bidirectional(a, b);
    KYOTO_CO_ASSERT(r);
    EXPECT_EQ(r->first, one.size());
    EXPECT_EQ(r->second, two.size());
    auto got1 = co_await p1;
    auto got2 = co_await p2;
    KYOTO_CO_ASSERT(got1 && got2);
    EXPECT_TRUE(*got1 == two);
    EXPECT_TRUE(*got2 == one);
  }());
}

TEST_P(IoCopy, BidirectionalReturnsTheFirstError) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto [a_user, a] = io::duplex(4096);
    auto [b, b_user] = io::duplex(4096);
    { auto gone = std::move(b_user); }  // writes to b fail
    auto s1 = spawn(send_all<io::duplex_stream>(std::move(a_user), pattern(10000, 10), 100));
    auto r = co_await io::copy_bidirectional(a, b);
    KYOTO_CO_ASSERT(!r);
    EXPECT_EQ(r.error(), std::errc::broken_pipe);
    { auto stop = std::move(a); }
    (void)co_await s1;
  }());
}

}  // namespace
