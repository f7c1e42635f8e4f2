#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>

#include "co_assert.hpp"
#include "fd_count.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

class NetUdpUnix : public every_flavor {
 protected:
  void SetUp() override { baseline_ = open_fd_count(); }
  void TearDown() override { EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors"; }
  std::size_t baseline_ = 0;
};
KYOTO_EVERY_FLAVOR(NetUdpUnix);

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s)); }
std::string text(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string temp_path(const char* tag) {
  return "/tmp/kyoto-test-" + std::to_string(::getpid()) + "-" + tag + ".sock";
}

TEST_P(NetUdpUnix, UdpRoundTripsBetweenTwoSockets) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto a = net::udp_socket::bind("127.0.0.1:0");
    auto b = net::udp_socket::bind("127.0.0.1:0");
    KYOTO_CO_ASSERT(a && b);
    auto b_addr = *b->local_addr();
    auto echo = spawn([](net::udp_socket& s) -> task<int> {
      std::array<std::byte, 2048> buf;
      int n = 0;
      for (; n < 100; ++n) {
        auto got = co_await s.recv_from(buf);
        if (!got) co_return -1;
        auto sent = co_await s.send_to(std::span(buf).first(got->first), got->second);
        if (!sent || *sent != got->first) co_return -1;
      }
      co_return n;
    }(*b));
    std::array<std::byte, 2048> buf;
    for (int i = 0; i < 100; ++i) {
      std::string msg =
          "datagram " + std::to_string(i) + std::string(static_cast<std::size_t>(i) * 10, '.');
      auto sent = co_await a->send_to(bytes(msg), b_addr);
      KYOTO_CO_ASSERT(sent && *sent == msg.size());
      auto got = co_await a->recv_from(buf);
      KYOTO_CO_ASSERT(got);
      EXPECT_EQ(got->second, b_addr);
      EXPECT_EQ(text(std::span(buf).first(got->first)), msg);
    }
    auto r = co_await echo;
    EXPECT_TRUE(r && *r == 100);
  }());
}

TEST_P(NetUdpUnix, UdpConnectedSendRecvPeekAndTry) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto a = net::udp_socket::bind("127.0.0.1:0");
    auto b = net::udp_socket::bind("127.0.0.1:0");
    KYOTO_CO_ASSERT(a && b);
    KYOTO_CO_ASSERT(a->connect(*b->local_addr()));
    KYOTO_CO_ASSERT(b->connect(*a->local_addr()));
    EXPECT_EQ(*a->peer_addr(), *b->local_addr());
    std::array<std::byte, 64> buf;
    auto none = b->try_recv(buf);
    KYOTO_CO_ASSERT(!none);
    EXPECT_EQ(none.error(), std::errc::operation_would_block);
    KYOTO_CO_ASSERT(co_await a->send(bytes("hello")));
    auto peeked = co_await b->peek_from(buf);
    KYOTO_CO_ASSERT(peeked && peeked->first == 5);
    auto n = co_await b->recv(buf);
    KYOTO_CO_ASSERT(n && *n == 5);
    EXPECT_EQ(text(std::span(buf).first(5)), "hello");
    KYOTO_CO_ASSERT(b->set_broadcast(true));
    EXPECT_TRUE(*b->broadcast());
    // A connected socket whose peer went away reports it.
    auto lone = net::udp_socket::bind("127.0.0.1:0");
    auto gone = *net::udp_socket::bind("127.0.0.1:0");
    auto gone_addr = *gone.local_addr();
    { auto dropped = std::move(gone); }
    KYOTO_CO_ASSERT(lone->connect(gone_addr));
    KYOTO_CO_ASSERT(co_await lone->send(bytes("x")));
    auto refused = co_await select(lone->recv(buf), kyoto::sleep(500ms));
    KYOTO_CO_ASSERT(refused.index() == 0);
    auto& rr = std::get<0>(refused);
    KYOTO_CO_ASSERT(!rr);
    EXPECT_EQ(rr.error(), std::errc::connection_refused);
  }());
}

TEST_P(NetUdpUnix, UnixStreamListenerConnectAndEcho) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    std::string path = temp_path("stream");
    ::unlink(path.c_str());
    auto l = net::unix_listener::bind(path);
    KYOTO_CO_ASSERT(l);
    EXPECT_EQ(l->local_addr()->as_pathname(), path);
    auto server = spawn([](net::unix_listener& lis) -> task<bool> {
      auto c = co_await lis.accept();
      if (!c) co_return false;
      EXPECT_TRUE(c->second.is_unnamed());
      std::string got;
      if (!co_await io::read_to_string(c->first, got)) co_return false;
      co_return static_cast<bool>(co_await io::write_all(c->first, "echo:" + got));
    }(*l));
    auto s = co_await net::unix_stream::connect(path);
    KYOTO_CO_ASSERT(s);
    EXPECT_EQ(s->peer_addr()->as_pathname(), path);
    KYOTO_CO_ASSERT(co_await io::write_all(*s, std::string_view("over unix")));
    KYOTO_CO_ASSERT(co_await io::shutdown(*s));
    std::string reply;
    KYOTO_CO_ASSERT(co_await io::read_to_string(*s, reply));
    EXPECT_EQ(reply, "echo:over unix");
    auto ok = co_await server;
    EXPECT_TRUE(ok && *ok);
    ::unlink(path.c_str());
    auto missing = co_await net::unix_stream::connect(path);
    KYOTO_CO_ASSERT(!missing);
    EXPECT_EQ(missing.error(), std::errc::no_such_file_or_directory);
  }());
}

TEST_P(NetUdpUnix, UnixPairsAndAbstractDatagrams) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto sp = net::unix_stream::pair();
    KYOTO_CO_ASSERT(sp);
    KYOTO_CO_ASSERT(co_await io::write_all(sp->first, std::string_view("pair")));
    std::string got(4, '\0');
    KYOTO_CO_ASSERT(co_await io::read_exact(sp->second, std::as_writable_bytes(std::span(got))));
    EXPECT_EQ(got, "pair");

    auto dp = net::unix_datagram::pair();
    KYOTO_CO_ASSERT(dp);
    KYOTO_CO_ASSERT(co_await dp->first.send(bytes("one")));
    KYOTO_CO_ASSERT(co_await dp->first.send(bytes("two")));
    std::array<std::byte, 16> buf;
    auto n1 = co_await dp->second.recv(buf);
    KYOTO_CO_ASSERT(n1 && *n1 == 3);
    EXPECT_EQ(text(std::span(buf).first(3)), "one");
    auto n2 = co_await dp->second.recv(buf);
    KYOTO_CO_ASSERT(n2 && *n2 == 3);
    EXPECT_EQ(text(std::span(buf).first(3)), "two");

    std::string name = "kyoto-test-" + std::to_string(::getpid());
    auto addr = net::unix_socket_addr::from_abstract_name(name);
    KYOTO_CO_ASSERT(addr);
    auto server = net::unix_datagram::bind_addr(*addr);
    KYOTO_CO_ASSERT(server);
    EXPECT_EQ(server->local_addr()->as_abstract_name(), name);
    std::string path = temp_path("dgram");
    ::unlink(path.c_str());
    auto client = net::unix_datagram::bind(path);
    KYOTO_CO_ASSERT(client);
    KYOTO_CO_ASSERT(co_await client->send_to_addr(bytes("to abstract"), *addr));
    auto from = co_await server->recv_from(buf);
    KYOTO_CO_ASSERT(from && from->first == 11);
    EXPECT_EQ(from->second.as_pathname(), path);
    auto back = co_await server->send_to(bytes("back"), path);
    KYOTO_CO_ASSERT(back && *back == 4);
    auto n3 = co_await client->recv(buf);
    KYOTO_CO_ASSERT(n3 && *n3 == 4);
    ::unlink(path.c_str());
  }());
}

TEST(NetUnixAddr, RejectsPathsThatDoNotFit) {
  EXPECT_EQ(net::unix_socket_addr::from_pathname(std::string(200, 'a')).error(),
            std::errc::filename_too_long);
  EXPECT_EQ(net::unix_socket_addr::from_pathname("").error(), std::errc::invalid_argument);
  EXPECT_EQ(net::unix_socket_addr::from_pathname(std::string_view("a\0b", 3)).error(),
            std::errc::invalid_argument);
  EXPECT_TRUE(net::unix_socket_addr().is_unnamed());
  EXPECT_EQ(net::unix_socket_addr::from_abstract_name("x")->to_string(), "@x");
}

}  // namespace
