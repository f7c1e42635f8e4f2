// lines() over a TCP socket through buf_reader, and a buf_reader over a
// buf_writer (both directions buffered on one stream, Tokio's BufStream):
// a line protocol server, the client's half-close, a peer's reset.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <system_error>
#include <vector>

#include "co_assert.hpp"
#include "fd_count.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

using buffered_stream = io::buf_reader<io::buf_writer<net::tcp_stream>>;

static_assert(io::async_buf_read<buffered_stream>);
static_assert(io::async_write<buffered_stream>);
static_assert(io::async_write_vectored<buffered_stream>);

class IoLinesSocket : public every_flavor {
 protected:
  void SetUp() override { baseline_ = open_fd_count(); }
  void TearDown() override { EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors"; }
  std::size_t baseline_ = 0;
};
KYOTO_EVERY_FLAVOR(IoLinesSocket);

// Answers every line with "<n>:<line>\n" through the buf_writer (the
// replies leave in buffer-sized writes, the last ones at shutdown);
// returns how many lines it saw.
task<int> numbering_server(net::tcp_stream s) {
  buffered_stream conn(io::buf_writer(std::move(s)));
  int n = 0;
  std::string line;
  for (;;) {
    line.clear();
    auto got = co_await conn.read_line(line);
    if (!got) co_return -1;
    if (*got == 0) break;  // the client's half-close
    if (line.back() == '\n') line.pop_back();
    std::string reply = std::to_string(++n) + ":" + line + "\n";
    if (!co_await io::write_all(conn, reply)) co_return -1;
  }
  if (!co_await io::shutdown(conn)) co_return -1;  // flushes, then ends our side
  co_return n;
}

TEST_P(IoLinesSocket, LineServerThroughBufReaderOverBufWriter) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(*net::socket_addr::parse("127.0.0.1:0"));
    KYOTO_CO_ASSERT(l);
    auto c = co_await net::tcp_stream::connect(*l->local_addr());
    KYOTO_CO_ASSERT(c);
    auto s = co_await l->accept();
    KYOTO_CO_ASSERT(s);
    auto server = spawn(numbering_server(std::move(s->first)));
    std::string request;
    constexpr int count = 3000;
    for (int i = 0; i < count; ++i)
      request += "line " + std::to_string(i) + (i % 3 ? "\n" : "\r\n");
    KYOTO_CO_ASSERT(co_await io::write_all(*c, request));
    KYOTO_CO_ASSERT(co_await io::shutdown(*c));  // half-close: the server's read_line gives 0
    auto lines = io::buf_reader(std::move(*c)).lines();
    int i = 0;
    while (auto line = co_await next(lines)) {
      KYOTO_CO_ASSERT(*line);
      // A "\r\n" from the client stays in the server's line; lines() strips it.
      std::string want = std::to_string(i + 1) + ":line " + std::to_string(i);
      EXPECT_EQ(**line, want);
      ++i;
    }
    EXPECT_EQ(i, count);
    auto n = co_await server;
    KYOTO_CO_ASSERT(n);
    EXPECT_EQ(*n, count);
  }());
}

// A last line without a newline, then the end of the stream: yielded.
TEST_P(IoLinesSocket, LastLineWithoutNewlineAtHalfClose) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(*net::socket_addr::parse("127.0.0.1:0"));
    KYOTO_CO_ASSERT(l);
    auto c = co_await net::tcp_stream::connect(*l->local_addr());
    KYOTO_CO_ASSERT(c);
    auto s = co_await l->accept();
    KYOTO_CO_ASSERT(s);
    KYOTO_CO_ASSERT(co_await io::write_all(*c, "first\nsecond"));
    KYOTO_CO_ASSERT(co_await io::shutdown(*c));
    auto lines = io::buf_reader(std::move(s->first)).lines();
    std::vector<std::string> got;
    while (auto line = co_await next(lines)) {
      KYOTO_CO_ASSERT(*line);
      got.push_back(**line);
    }
    EXPECT_EQ(got, (std::vector<std::string>{"first", "second"}));
  }());
}

// The peer resets the connection (SO_LINGER 0): lines() yields
// ECONNRESET as an item, and then ends.
TEST_P(IoLinesSocket, PeerResetIsAnErrorItem) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(*net::socket_addr::parse("127.0.0.1:0"));
    KYOTO_CO_ASSERT(l);
    auto c = co_await net::tcp_stream::connect(*l->local_addr());
    KYOTO_CO_ASSERT(c);
    auto s = co_await l->accept();
    KYOTO_CO_ASSERT(s);
    auto lines = io::buf_reader(std::move(s->first)).lines();
    KYOTO_CO_ASSERT(co_await io::write_all(*c, "whole\n"));
    auto first = co_await next(lines);
    KYOTO_CO_ASSERT(first && *first);
    EXPECT_EQ(**first, "whole");
    KYOTO_CO_ASSERT(c->set_linger(std::chrono::seconds(0)));
    { auto gone = std::move(*c); }  // close with linger 0: a reset
    std::vector<std::error_code> errors;
    for (int i = 0; i < 10; ++i) {  // bounded: an error, then the end
      auto line = co_await next(lines);
      if (!line) break;
      if (!*line) errors.push_back(line->error());
    }
    KYOTO_CO_ASSERT(!errors.empty());
    EXPECT_EQ(errors.front(), std::errc::connection_reset);
  }());
}

}  // namespace
