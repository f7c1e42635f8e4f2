#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "co_assert.hpp"
#include "fd_count.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

// Every test checks that the process's descriptor count returns to where
// it started once its runtime is gone.
class NetTcp : public every_flavor {
 protected:
  void SetUp() override { baseline_ = open_fd_count(); }
  void TearDown() override { EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors"; }
  std::size_t baseline_ = 0;
};
KYOTO_EVERY_FLAVOR(NetTcp);

class NetTcpOnce : public testing::Test {
 protected:
  void SetUp() override { baseline_ = open_fd_count(); }
  void TearDown() override { EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors"; }
  std::size_t baseline_ = 0;
};

net::socket_addr loopback0() { return *net::socket_addr::parse("127.0.0.1:0"); }

std::string pattern(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

task<void> echo_conn(net::tcp_stream s) {
  std::vector<std::byte> buf(16 * 1024);
  for (;;) {
    auto n = co_await io::read(s, std::span(buf));
    if (!n || *n == 0) co_return;
    if (!co_await io::write_all(s, std::span<const std::byte>(buf.data(), *n))) co_return;
  }
}

task<void> echo_server(net::tcp_listener& l, std::size_t connections) {
  join_set<void> conns;
  for (std::size_t i = 0; i < connections; ++i) {
    auto c = co_await l.accept();
    EXPECT_TRUE(c) << c.error().message();
    if (!c) co_return;
    conns.spawn(echo_conn(std::move(c->first)));
  }
  while (co_await conns.join_next()) {
  }
}

task<bool> echo_client(net::socket_addr addr, std::uint32_t seed) {
  auto s = co_await net::tcp_stream::connect(addr);
  if (!s) {
    ADD_FAILURE() << "connect: " << s.error().message();
    co_return false;
  }
  std::mt19937 rng(seed);
  for (int round = 0; round < 3; ++round) {
    std::string msg = pattern(1 + rng() % 20000, seed * 7 + static_cast<std::uint32_t>(round));
    if (!co_await io::write_all(*s, msg)) co_return false;
    std::string back(msg.size(), '\0');
    auto r = co_await io::read_exact(*s, std::as_writable_bytes(std::span(back)));
    if (!r || back != msg) co_return false;
  }
  co_return true;
}

TEST_P(NetTcp, EchoManyConnectionsEveryByteVerified) {
  constexpr std::size_t clients = 1000;
  auto rt = make();
  int ok = rt.block_on([]() -> task<int> {
    auto l = net::tcp_listener::bind(loopback0());
    EXPECT_TRUE(l);
    auto addr = *l->local_addr();
    EXPECT_TRUE(addr.is_loopback());
    auto server = spawn(echo_server(*l, clients));
    join_set<bool> set;
    for (std::size_t i = 0; i < clients; ++i)
      set.spawn(echo_client(addr, static_cast<std::uint32_t>(i)));
    int good = 0;
    while (auto r = co_await set.join_next()) good += (*r && **r) ? 1 : 0;
    EXPECT_TRUE(co_await server);
    co_return good;
  }());
  EXPECT_EQ(ok, static_cast<int>(clients));
}

TEST_P(NetTcp, ConnectToClosedPortIsRefused) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    net::socket_addr addr;
    {
      auto l = net::tcp_listener::bind(loopback0());
      KYOTO_CO_ASSERT(l);
      addr = *l->local_addr();
    }
    auto s = co_await net::tcp_stream::connect(addr);
    KYOTO_CO_ASSERT(!(s));
    EXPECT_EQ(s.error(), std::errc::connection_refused) << s.error().message();
  }());
}

TEST_P(NetTcp, BindTakenPortIsAddrInUse) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(loopback0());
    KYOTO_CO_ASSERT(l);
    auto again = net::tcp_listener::bind(*l->local_addr());
    KYOTO_CO_ASSERT(!(again));
    EXPECT_EQ(again.error(), std::errc::address_in_use);
    co_return;
  }());
}

TEST_P(NetTcp, HalfCloseIsEndOfStreamWhileTheOtherDirectionWorks) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(loopback0());
    auto client = co_await net::tcp_stream::connect(*l->local_addr());
    KYOTO_CO_ASSERT(client);
    auto conn = co_await l->accept();
    KYOTO_CO_ASSERT(conn);
    auto& server = conn->first;
    EXPECT_EQ(conn->second, *client->local_addr());
    EXPECT_EQ(*server.peer_addr(), *client->local_addr());
    EXPECT_TRUE(co_await io::write_all(*client, std::string_view("last words")));
    EXPECT_TRUE(co_await io::shutdown(*client));
    std::string got;
    auto n = co_await io::read_to_string(server, got);
    KYOTO_CO_ASSERT(n);
    EXPECT_EQ(got, "last words");
    // The server can still talk back.
    EXPECT_TRUE(co_await io::write_all(server, std::string_view("reply")));
    std::string reply(5, '\0');
    EXPECT_TRUE(co_await io::read_exact(*client, std::as_writable_bytes(std::span(reply))));
    EXPECT_EQ(reply, "reply");
  }());
}

TEST_P(NetTcp, PeerResetGivesConnectionResetAndPipeErrors) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(loopback0());
    auto client = co_await net::tcp_stream::connect(*l->local_addr());
    KYOTO_CO_ASSERT(client);
    auto conn = co_await l->accept();
    KYOTO_CO_ASSERT(conn);
    {
      net::tcp_stream server = std::move(conn->first);
      KYOTO_CO_ASSERT(server.set_linger(0s));  // close sends a reset
    }
    std::array<std::byte, 64> buf;
    auto r = co_await io::read(*client, std::span(buf));
    KYOTO_CO_ASSERT(!(r));
    EXPECT_EQ(r.error(), std::errc::connection_reset) << r.error().message();
    // Writing to a reset connection fails with EPIPE (no SIGPIPE kills us).
    std::string big(1 << 20, 'x');
    auto w = co_await io::write_all(*client, big);
    KYOTO_CO_ASSERT(!(w));
    EXPECT_TRUE(w.error() == std::errc::broken_pipe || w.error() == std::errc::connection_reset)
        << w.error().message();
  }());
}

TEST_P(NetTcp, WriteAllThroughManyPartialWritesToASlowReader) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(loopback0());
    auto sock = net::tcp_socket::new_v4();
    KYOTO_CO_ASSERT(sock);
    KYOTO_CO_ASSERT(sock->set_send_buffer_size(4096));
    auto client = co_await std::move(*sock).connect(*l->local_addr());
    KYOTO_CO_ASSERT(client);
    auto conn = co_await l->accept();
    KYOTO_CO_ASSERT(conn);
    std::string data = pattern(2 << 20, 42);
    auto writer = spawn([](net::tcp_stream s, std::string d) -> task<bool> {
      bool ok = static_cast<bool>(co_await io::write_all(s, d));
      co_return ok;
    }(std::move(*client), data));
    std::string got;
    std::vector<std::byte> chunk(7000);
    int reads = 0;
    while (got.size() < data.size()) {
      auto n = co_await io::read(conn->first, std::span(chunk));
      KYOTO_CO_ASSERT(n);
      KYOTO_CO_ASSERT((*n) > (0u));
      got.append(reinterpret_cast<const char*>(chunk.data()), *n);
      if (++reads % 32 == 0) co_await kyoto::sleep(1ms);  // slow reader
    }
    auto w = co_await writer;
    KYOTO_CO_ASSERT(w);
    EXPECT_TRUE(*w);
    EXPECT_TRUE(got == data);
    EXPECT_GT(reads, 100);
  }());
}

TEST_P(NetTcp, ReadLosingASelectIsCancelledAndTheSocketStillReads) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(loopback0());
    auto client = co_await net::tcp_stream::connect(*l->local_addr());
    auto conn = co_await l->accept();
    KYOTO_CO_ASSERT(client && conn);
    std::array<std::byte, 16> buf;
    auto first = co_await select(io::read(conn->first, std::span(buf)), kyoto::sleep(20ms));
    EXPECT_EQ(first.index(), 1u);  // nothing to read: the sleep wins
    EXPECT_TRUE(co_await io::write_all(*client, std::string_view("hello")));
    std::string got(5, '\0');
    EXPECT_TRUE(co_await io::read_exact(conn->first, std::as_writable_bytes(std::span(got))));
    EXPECT_EQ(got, "hello");
  }());
}

TEST_P(NetTcp, SplitHalvesWorkFromTwoTasksAtOnce) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(loopback0());
    auto client = co_await net::tcp_stream::connect(*l->local_addr());
    auto conn = co_await l->accept();
    KYOTO_CO_ASSERT(client && conn);
    auto server = spawn(echo_conn(std::move(conn->first)));
    auto [rd, wr] = std::move(*client).into_split();
    std::string data = pattern(1 << 20, 7);
    auto writer = spawn([](net::owned_write_half w, std::string d) -> task<bool> {
      bool ok = static_cast<bool>(co_await io::write_all(w, d));
      co_return ok;  // dropping w ends the write direction
    }(std::move(wr), data));
    std::string got;
    auto n = co_await io::read_to_string(rd, got);
    KYOTO_CO_ASSERT(n);
    EXPECT_TRUE(got == data);
    auto w = co_await writer;
    EXPECT_TRUE(w && *w);
    EXPECT_TRUE(co_await server);
  }());
}

TEST_P(NetTcp, TryReadPeekAndReadiness) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(loopback0());
    auto client = co_await net::tcp_stream::connect(*l->local_addr());
    auto conn = co_await l->accept();
    KYOTO_CO_ASSERT(client && conn);
    auto& server = conn->first;
    EXPECT_TRUE(client->set_nodelay(true));
    EXPECT_TRUE(*client->nodelay());
    std::array<std::byte, 8> buf;
    auto none = server.try_read(buf);
    KYOTO_CO_ASSERT(!(none));
    EXPECT_EQ(none.error(), std::errc::operation_would_block);
    EXPECT_TRUE(co_await client->writable());
    auto w = client->try_write(std::as_bytes(std::span("ping", 4)));
    KYOTO_CO_ASSERT(w);
    EXPECT_EQ(*w, 4u);
    EXPECT_TRUE(co_await server.readable());
    auto p = co_await server.peek(buf);
    KYOTO_CO_ASSERT(p);
    EXPECT_EQ(*p, 4u);
    auto r = server.try_read(buf);  // peek consumed nothing
    KYOTO_CO_ASSERT(r);
    EXPECT_EQ(*r, 4u);
    EXPECT_EQ(std::memcmp(buf.data(), "ping", 4), 0);
  }());
}

// A short read proves the socket drained, so its readiness is forgotten at
// once: readable() waits for the next bytes instead of reporting a stale
// edge (which would cost a recv that fails with EAGAIN), and the next bytes
// still wake it.
TEST_P(NetTcp, ShortReadClearsReadinessAndTheNextBytesStillWake) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(loopback0());
    auto client = co_await net::tcp_stream::connect(*l->local_addr());
    auto conn = co_await l->accept();
    KYOTO_CO_ASSERT(client && conn);
    auto& server = conn->first;
    std::array<std::byte, 64> buf;
    KYOTO_CO_ASSERT(co_await io::write_all(*client, std::string_view("first")));
    auto n = co_await io::read(server, std::span(buf));
    KYOTO_CO_ASSERT(n);
    EXPECT_EQ(*n, 5u);  // short: 5 of 64
    auto stale = co_await kyoto::timeout(20ms, server.readable());
    EXPECT_FALSE(stale) << "readiness survived a short read";
    KYOTO_CO_ASSERT(co_await io::write_all(*client, std::string_view("second")));
    auto woke = co_await kyoto::timeout(5s, server.readable());
    KYOTO_CO_ASSERT(woke);
    n = co_await io::read(server, std::span(buf));
    KYOTO_CO_ASSERT(n);
    EXPECT_EQ(*n, 6u);
    EXPECT_EQ(std::memcmp(buf.data(), "second", 6), 0);
  }());
}

TEST_P(NetTcp, IdleServerWithManyConnectionsUsesNoCpu) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto l = net::tcp_listener::bind(loopback0());
    auto addr = *l->local_addr();
    auto server = spawn(echo_server(*l, 1000));
    std::vector<net::tcp_stream> clients;
    for (int i = 0; i < 1000; ++i) {
      auto c = co_await net::tcp_stream::connect(addr);
      KYOTO_CO_ASSERT(c);
      clients.push_back(std::move(*c));
    }
    co_await kyoto::sleep(50ms);  // let the server accept them all
    rusage before{}, after{};
    ::getrusage(RUSAGE_SELF, &before);
    co_await kyoto::sleep(1s);
    ::getrusage(RUSAGE_SELF, &after);
    auto us = [](const rusage& r) {
      return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1'000'000L + r.ru_utime.tv_usec +
             r.ru_stime.tv_usec;
    };
    EXPECT_LT(us(after) - us(before), 100'000) << "CPU while idle (us)";
    clients.clear();
    EXPECT_TRUE(co_await server);
  }());
}

// A connect that cannot complete (the listener's backlog is full and it
// never accepts) loses a select against a timer; dropping it closes its
// socket (the fixture checks the descriptor count).
TEST_P(NetTcp, DroppedPendingConnectClosesItsSocket) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto sock = net::tcp_socket::new_v4();
    KYOTO_CO_ASSERT(sock && sock->bind(loopback0()));
    auto l = std::move(*sock).listen(0);
    KYOTO_CO_ASSERT(l);
    auto addr = *l->local_addr();
    std::vector<net::tcp_stream> filling;
    int pending_connects = 0;
    for (int i = 0; i < 16 && pending_connects == 0; ++i) {
      auto r = co_await select(net::tcp_stream::connect(addr), kyoto::sleep(100ms));
      if (r.index() == 1) {
        ++pending_connects;  // this connect was dropped while in progress
      } else if (auto& s = std::get<0>(r); s) {
        filling.push_back(std::move(*s));
      }
    }
    EXPECT_EQ(pending_connects, 1) << "the backlog never filled";
  }());
}

TEST_F(NetTcpOnce, AcceptLoopSurvivesDescriptorExhaustion) {
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  auto rt = runtime::builder::multi_thread().worker_threads(2).enable_all().build();
  rt.block_on([&]() -> task<void> {
    auto l = net::tcp_listener::bind(loopback0());
    KYOTO_CO_ASSERT(l);
    auto addr = *l->local_addr();
    std::atomic<int> accepted{0}, failures{0};
    std::vector<net::tcp_stream> kept;
    std::atomic<bool> stop{false};
    auto acceptor = spawn([](net::tcp_listener& lis, std::atomic<int>& acc, std::atomic<int>& fail,
                             std::atomic<bool>& st) -> task<void> {
      std::vector<net::tcp_stream> held;
      while (!st.load()) {
        auto c = co_await select(lis.accept(), kyoto::sleep(20ms));
        if (c.index() == 1) continue;
        auto& r = std::get<0>(c);
        if (r) {
          ++acc;
          held.push_back(std::move(r->first));
        } else {
          // Compared by value: while descriptors are exhausted, the
          // sanitizers' runtime cannot check a virtual call's target.
          EXPECT_TRUE(&r.error().category() == &std::system_category() &&
                      (r.error().value() == EMFILE || r.error().value() == ENFILE));
          ++fail;
          if (held.size() > 4) held.erase(held.begin(), held.begin() + 4);  // recover
        }
      }
    }(*l, accepted, failures, stop));
    // The clients' sockets are made before the limit drops, so that only
    // the server side (accept) can run out: a client's socket() failing
    // first would end the loop with nothing proven.
    std::vector<int> raw;
    for (int i = 0; i < 200; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      KYOTO_CO_ASSERT(fd >= 0);
      raw.push_back(fd);
    }
    rlimit low = old;
    low.rlim_cur = open_fd_count() + 60;
    KYOTO_CO_ASSERT(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    for (std::size_t i = 0; i < raw.size() && failures.load() == 0; ++i) {
      sockaddr_storage ss{};
      auto len = static_cast<socklen_t>(addr.to_sockaddr(&ss));
      if (::connect(raw[i], reinterpret_cast<sockaddr*>(&ss), len) != 0) break;
      co_await kyoto::sleep(1ms);
    }
    EXPECT_GT(failures.load(), 0) << "never ran out of descriptors";
    rusage before{}, after{};
    ::getrusage(RUSAGE_SELF, &before);
    co_await kyoto::sleep(300ms);
    ::getrusage(RUSAGE_SELF, &after);
    auto us = [](const rusage& r) {
      return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1'000'000L + r.ru_utime.tv_usec +
             r.ru_stime.tv_usec;
    };
    EXPECT_LT(us(after) - us(before), 150'000) << "the accept loop spins while exhausted";
    for (int fd : raw) ::close(fd);
    raw.clear();
    KYOTO_CO_ASSERT(::setrlimit(RLIMIT_NOFILE, &old) == 0);
    // Serves again.
    int before_ok = accepted.load();
    auto c = co_await net::tcp_stream::connect(addr);
    EXPECT_TRUE(c);
    for (int i = 0; i < 200 && accepted.load() == before_ok; ++i) co_await kyoto::sleep(5ms);
    EXPECT_GT(accepted.load(), before_ok);
    stop = true;
    co_await acceptor;
  }());
  ::setrlimit(RLIMIT_NOFILE, &old);
}

TEST_F(NetTcpOnce, SocketsNeedARuntimeWithIo) {
  EXPECT_THROW((void)net::tcp_listener::bind(loopback0()), std::runtime_error);
  auto rt = runtime::builder::current_thread().enable_time().build();
  rt.block_on([]() -> task<void> {
    EXPECT_THROW((void)net::tcp_listener::bind(loopback0()), std::runtime_error);
    co_return;
  }());
}

TEST_F(NetTcpOnce, ASocketOutlivingItsRuntimeReportsShutdown) {
  std::optional<net::tcp_listener> kept;
  {
    auto rt = runtime::builder::current_thread().enable_all().build();
    rt.block_on([&]() -> task<void> {
      auto l = net::tcp_listener::bind(loopback0());
      KYOTO_CO_ASSERT(l);
      kept.emplace(std::move(*l));
      co_return;
    }());
  }
  auto rt2 = runtime::builder::current_thread().enable_all().build();
  auto r = rt2.block_on(kept->accept());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), io::errc::driver_shutdown);
  kept.reset();
}

TEST_F(NetTcpOnce, LookupHostResolvesLocalhostAndRejectsMalformed) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).enable_all().build();
  rt.block_on([]() -> task<void> {
    auto a = co_await net::lookup_host("127.0.0.1:80");
    KYOTO_CO_ASSERT(a);
    KYOTO_CO_ASSERT((a->size()) == (1u));
    EXPECT_EQ((*a)[0].port(), 80);
    auto b = co_await net::lookup_host("localhost:8080");
    KYOTO_CO_ASSERT(b);
    KYOTO_CO_ASSERT(!(b->empty()));
    for (auto& addr : *b) {
      EXPECT_TRUE(addr.is_loopback()) << addr;
      EXPECT_EQ(addr.port(), 8080);
    }
    EXPECT_FALSE(co_await net::lookup_host("no-port"));
    EXPECT_FALSE(co_await net::lookup_host("host:99999"));
  }());
}

}  // namespace
