// A TCP proxy: every connection accepted on 127.0.0.1:<port> is joined to
// a new connection to <upstream>, and io::copy_bidirectional copies the
// bytes both ways in one task (a client's half-close is passed on to the
// upstream while the answer keeps flowing back, and the other way round).
// A connection whose upstream cannot be reached is closed with a log line;
// the proxy keeps serving. Ctrl-C / SIGTERM: stop accepting, give open
// connections up to 5 seconds to finish, close the rest, exit 0.
//   tcp_proxy [port] [upstream] [address]   (default 8082 127.0.0.1:8080 127.0.0.1)
//   echo_server 8080 &  tcp_proxy 8082 127.0.0.1:8080 &
//   printf 'hello\n' | nc -q1 127.0.0.1 8082
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "kyoto/kyoto.hpp"

namespace {

using namespace std::chrono_literals;

struct totals {
  std::atomic<std::uint64_t> up{0};    // client -> upstream
  std::atomic<std::uint64_t> down{0};  // upstream -> client
};

kyoto::task<void> proxy(kyoto::net::tcp_stream client, std::string upstream, std::uint64_t id,
                        std::shared_ptr<totals> sum) {
  auto server = co_await kyoto::net::tcp_stream::connect(upstream);
  if (!server) {  // the client's connection closes as `client` is dropped
    std::printf("tcp_proxy: #%llu: cannot reach %s: %s\n", static_cast<unsigned long long>(id),
                upstream.c_str(), server.error().message().c_str());
    std::fflush(stdout);
    co_return;
  }
  (void)client.set_nodelay(true);
  (void)server->set_nodelay(true);
  auto r = co_await kyoto::io::copy_bidirectional(client, *server);
  if (!r) {
    std::printf("tcp_proxy: #%llu: %s\n", static_cast<unsigned long long>(id),
                r.error().message().c_str());
  } else {
    sum->up += r->first;
    sum->down += r->second;
    std::printf("tcp_proxy: #%llu closed: %llu bytes up, %llu bytes down\n",
                static_cast<unsigned long long>(id), static_cast<unsigned long long>(r->first),
                static_cast<unsigned long long>(r->second));
  }
  std::fflush(stdout);
}

kyoto::task<void> on_shutdown_signal(kyoto::cancellation_token stop) {
  auto term = kyoto::signal::unix_signal(kyoto::signal::kind::terminate());
  if (!term) co_return;
  co_await kyoto::select(kyoto::signal::ctrl_c(), term->recv());
  stop.cancel();
}

kyoto::task<void> drain(kyoto::join_set<void>& set) {
  // Not `while (co_await set.join_next()) {}`: g++ 12 miscompiles that loop
  // when it is a coroutine's whole body (the task hangs or crashes).
  for (;;) {
    auto joined = co_await set.join_next();
    if (!joined) co_return;
  }
}

// Joins connections as they finish (a long-running proxy would otherwise
// keep every finished task in the set), then waits for the signal.
kyoto::task<void> reap(kyoto::join_set<void>& set, kyoto::cancellation_token stop) {
  co_await drain(set);
  co_await stop.cancelled();
}

kyoto::task<int> async_main(std::string addr, std::string upstream) {
  auto listener = kyoto::net::tcp_listener::bind(addr);
  if (!listener) {
    std::fprintf(stderr, "tcp_proxy: cannot listen on %s: %s\n", addr.c_str(),
                 listener.error().message().c_str());
    co_return 1;
  }
  std::printf("tcp_proxy: listening on %s, forwarding to %s\n",
              listener->local_addr()->to_string().c_str(), upstream.c_str());
  std::fflush(stdout);
  kyoto::cancellation_token stop;
  kyoto::spawn(on_shutdown_signal(stop));
  auto sum = std::make_shared<totals>();
  kyoto::join_set<void> connections;
  std::uint64_t accepted = 0;
  for (;;) {
    auto next =
        co_await kyoto::select(listener->accept(), stop.cancelled(), reap(connections, stop));
    if (next.index() != 0) break;  // the signal
    auto& conn = std::get<0>(next);
    if (!conn) {
      std::fprintf(stderr, "tcp_proxy: accept: %s\n", conn.error().message().c_str());
      continue;  // e.g. out of descriptors: accept does not spin
    }
    connections.spawn(proxy(std::move(conn->first), upstream, ++accepted, sum));
  }
  // Connections that have finished but that reap has not joined yet are
  // not open: join them first.
  while (connections.try_join_next()) {
  }
  std::size_t open = connections.size();
  bool finished = static_cast<bool>(co_await kyoto::timeout(5s, drain(connections)));
  std::size_t cut = finished ? 0 : connections.size();
  connections.abort_all();
  co_await drain(connections);
  std::printf(
      "tcp_proxy: shut down (%llu connections, %zu open at the signal, %zu cut after 5 s; "
      "%llu bytes up, %llu bytes down)\n",
      static_cast<unsigned long long>(accepted), open, cut,
      static_cast<unsigned long long>(sum->up.load()),
      static_cast<unsigned long long>(sum->down.load()));
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string port = argc > 1 ? argv[1] : "8082";
  std::string upstream = argc > 2 ? argv[2] : "127.0.0.1:8080";
  std::string host = argc > 3 ? argv[3] : "127.0.0.1";
  std::string addr =
      host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
  return kyoto::run(async_main(addr, upstream));
}
