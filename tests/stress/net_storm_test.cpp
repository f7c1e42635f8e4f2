// Loopback storm: an echo server and thousands of client connections (at
// most 200 at once), each writing 0 to 64 KiB and then, at random, reading
// the whole echo back, half-closing and reading to the end, or dropping the
// stream midway (with SO_LINGER 0 half of the time: a reset). For the
// connections that completed normally, the bytes sent, echoed and read
// back match exactly and every byte is checked; every connection the
// clients made is accepted; no descriptor outlives the runtime.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "co_assert.hpp"
#include "fd_count.hpp"
#include "kyoto/kyoto.hpp"
#include "stress_duration.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

enum class ending : std::uint8_t { none, echoed, half_closed, dropped };

struct net_storm {
  static constexpr long max_open = 200;
  static constexpr std::size_t max_payload = 64 * 1024;
  long max_connections = scaled(5'000);
  storm_deadline deadline;
  std::atomic<long> progress{0};
  std::atomic<long> open{0};
  std::atomic<long> connected{0};
  std::atomic<long> connect_failed{0};
  std::atomic<long> accepted{0};
  std::atomic<long> client_errors{0};  // a normal connection that failed
  std::atomic<long> corrupt{0};        // an echo that differs from what was sent
  std::atomic<long> bad_ids{0};
  std::atomic<long> bytes_sent{0};
  std::atomic<long> bytes_echoed{0};
  // Per connection id, each field written by one task (the client's, or
  // the server task that read the id), read after both have been joined.
  std::vector<ending> how;
  std::vector<long> client_sent, client_back, server_echoed;
  std::vector<std::uint8_t> server_clean_eof;

  net_storm()
      : how(static_cast<std::size_t>(max_connections), ending::none),
        client_sent(how.size(), -1),
        client_back(how.size(), -1),
        server_echoed(how.size(), -1),
        server_clean_eof(how.size(), 0) {}

  std::string report() const {
    std::ostringstream os;
    os << "connections open " << open << ", connected " << connected << ", accepted " << accepted
       << ", bytes sent " << bytes_sent << ", bytes echoed " << bytes_echoed;
    return os.str();
  }
};

task<void> echo_conn(net_storm& s, net::tcp_stream c) {
  std::vector<std::byte> buf(16 * 1024);
  std::uint32_t id = 0;
  std::size_t header = 0;  // bytes of the id read so far
  long total = 0;
  for (;;) {
    auto n = co_await io::read(c, std::span(buf));
    if (!n) co_return;  // a client that reset its connection
    if (*n == 0) break;
    for (std::size_t i = 0; header < sizeof id && i < *n; ++i, ++header)
      reinterpret_cast<std::byte*>(&id)[header] = buf[i];
    if (!co_await io::write_all(c, std::span<const std::byte>(buf.data(), *n))) co_return;
    total += static_cast<long>(*n);
    s.bytes_echoed += static_cast<long>(*n);
    s.progress.fetch_add(1, std::memory_order_relaxed);
  }
  if (header < sizeof id) co_return;
  if (id >= s.how.size()) {
    ++s.bad_ids;
    co_return;
  }
  s.server_echoed[id] = total;
  s.server_clean_eof[id] = 1;
  (void)co_await io::shutdown(c);  // the half-closing client reads to its end
}

task<void> echo_server(net_storm& s, net::tcp_listener l, cancellation_token stop) {
  join_set<void> conns;
  for (;;) {
    auto r = co_await kyoto::select(l.accept(), stop.cancelled());
    if (r.index() == 1) break;
    auto& c = std::get<0>(r);
    KYOTO_CO_ASSERT(c.has_value());
    ++s.accepted;
    conns.spawn(echo_conn(s, std::move(c->first)));
    while (conns.try_join_next()) {
    }
  }
  while (auto r = co_await conns.join_next()) EXPECT_TRUE(*r) << "an echo task failed";
}

std::vector<std::byte> make_payload(std::uint32_t id, std::mt19937& rng) {
  std::vector<std::byte> p(sizeof id + rng() % (net_storm::max_payload + 1));
  std::memcpy(p.data(), &id, sizeof id);
  for (std::size_t i = sizeof id; i < p.size(); ++i) p[i] = static_cast<std::byte>(rng());
  return p;
}

task<void> write_then_maybe_shutdown(net::owned_write_half& w, std::span<const std::byte> bytes,
                                     bool shut, bool& ok) {
  ok = static_cast<bool>(co_await io::write_all(w, bytes));
  if (ok && shut) ok = static_cast<bool>(co_await io::shutdown(w));
}

task<void> client(net_storm& s, net::socket_addr addr, std::uint32_t id, unsigned seed,
                  semaphore_permit) {  // held until the connection is done
  std::mt19937 rng(seed);
  ++s.open;
  auto c = co_await net::tcp_stream::connect(addr);
  if (!c) {
    ++s.connect_failed;
    --s.open;
    co_return;
  }
  ++s.connected;
  auto payload = make_payload(id, rng);
  auto mode = static_cast<ending>(1 + rng() % 3);
  if (mode == ending::dropped) {
    if (rng() % 2) (void)c->set_linger(0s);  // close sends a reset
    auto part = std::span<const std::byte>(payload).first(sizeof id + rng() % payload.size());
    if (part.size() > payload.size()) part = payload;
    if (co_await io::write_all(*c, part) && rng() % 2) {
      std::vector<std::byte> some(1 + rng() % part.size());
      (void)co_await kyoto::timeout(1ms, io::read(*c, std::span(some)));
    }
    s.how[id] = ending::dropped;
  } else {
    auto [rd, wr] = std::move(*c).into_split();
    bool wrote = false;
    std::vector<std::byte> back;
    io::result<void> read_ok;
    if (mode == ending::echoed) {
      back.resize(payload.size());
      auto [w, r] = co_await kyoto::join(write_then_maybe_shutdown(wr, payload, false, wrote),
                                         io::read_exact(rd, std::span(back)));
      (void)w;
      read_ok = std::move(r);
    } else {
      auto [w, r] = co_await kyoto::join(write_then_maybe_shutdown(wr, payload, true, wrote),
                                         io::read_to_end(rd, back));
      (void)w;
      if (!r) read_ok = kyoto::err(r.error());
    }
    if (!wrote || !read_ok) {
      ++s.client_errors;
    } else {
      if (back != payload) ++s.corrupt;
      s.how[id] = mode;
      s.client_sent[id] = static_cast<long>(payload.size());
      s.client_back[id] = static_cast<long>(back.size());
      s.bytes_sent += static_cast<long>(payload.size());
    }
  }
  --s.open;
  s.progress.fetch_add(1, std::memory_order_relaxed);
}

task<void> storm_main(net_storm& s, unsigned seed) {
  auto l = net::tcp_listener::bind(*net::socket_addr::parse("127.0.0.1:0"));
  KYOTO_CO_ASSERT(l.has_value());
  auto addr = l->local_addr();
  KYOTO_CO_ASSERT(addr.has_value());
  cancellation_token stop;
  auto server = kyoto::spawn(echo_server(s, std::move(*l), stop));
  std::mt19937 rng(seed);
  semaphore limit(static_cast<std::size_t>(net_storm::max_open));
  join_set<void> clients;
  for (long id = 0; id < s.max_connections && !s.deadline.passed(); ++id) {
    auto permit = co_await limit.acquire();
    KYOTO_CO_ASSERT(permit.has_value());
    clients.spawn(client(s, *addr, static_cast<std::uint32_t>(id), rng(), std::move(*permit)));
    while (auto r = clients.try_join_next()) EXPECT_TRUE(*r) << "a client task failed";
  }
  while (auto r = co_await clients.join_next()) EXPECT_TRUE(*r) << "a client task failed";
  stop.cancel();
  auto r = co_await server;
  EXPECT_TRUE(r) << "the server failed";
}

TEST(NetStorm, EchoesEveryByteOfEveryNormalConnectionAndLeaksNoDescriptor) {
  unsigned seed = storm_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (KYOTO_STRESS_SEED)");
  const std::size_t baseline = open_fd_count();
  net_storm s;
  {
    progress_watchdog dog("net", s.progress, [&s] { return s.report(); });
    auto rt = runtime::builder::multi_thread().worker_threads(2).enable_all().build();
    rt.block_on(storm_main(s, seed));
    expect_runtime_quiet(rt);
  }
  EXPECT_EQ(open_fd_count(), baseline) << "leaked descriptors";
  EXPECT_EQ(s.open.load(), 0);
  EXPECT_EQ(s.connect_failed.load(), 0);
  EXPECT_EQ(s.accepted.load(), s.connected.load());
  EXPECT_EQ(s.client_errors.load(), 0) << s.report();
  EXPECT_EQ(s.corrupt.load(), 0);
  EXPECT_EQ(s.bad_ids.load(), 0);
  long normal = 0, dropped = 0, mismatched = 0, normal_bytes = 0, normal_echoed = 0;
  for (std::size_t id = 0; id < s.how.size(); ++id) {
    if (s.how[id] == ending::dropped) ++dropped;
    if (s.how[id] != ending::echoed && s.how[id] != ending::half_closed) continue;
    ++normal;
    normal_bytes += s.client_sent[id];
    normal_echoed += s.server_echoed[id];
    if (s.client_back[id] != s.client_sent[id] || s.server_echoed[id] != s.client_sent[id] ||
        !s.server_clean_eof[id])
      ++mismatched;
  }
  EXPECT_EQ(mismatched, 0) << s.report();
  EXPECT_EQ(normal_echoed, normal_bytes);
  EXPECT_EQ(normal + dropped, s.connected.load());
  EXPECT_GT(normal, 0);
  EXPECT_GT(dropped, 0);
  RecordProperty("connections", std::to_string(s.connected.load()));
  RecordProperty("bytes_echoed", std::to_string(normal_echoed));
}

}  // namespace
