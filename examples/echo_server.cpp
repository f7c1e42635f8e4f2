// A TCP echo server: one task per connection, graceful shutdown on Ctrl-C
// or SIGTERM (stop accepting, let every connection finish what it has
// received, exit 0). Binds 127.0.0.1 by default.
//   echo_server [port] [address]        (default 8080 127.0.0.1)
//   printf 'hello\n' | nc -q1 127.0.0.1 8080
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kyoto/kyoto.hpp"

namespace {

// Echoes until the peer closes, or until `stop` is cancelled between two
// reads (a read in progress is not cut off mid-message: select drops only
// a read that has not returned data).
kyoto::task<void> serve(kyoto::net::tcp_stream stream, kyoto::cancellation_token stop) {
  std::vector<std::byte> buf(16 * 1024);
  for (;;) {
    auto got = co_await kyoto::select(kyoto::io::read(stream, std::span(buf)), stop.cancelled());
    if (got.index() == 1) co_return;  // shutting down
    auto& n = std::get<0>(got);
    if (!n || *n == 0) co_return;  // error or end of stream
    if (!co_await kyoto::io::write_all(stream, std::span<const std::byte>(buf.data(), *n))) {
      co_return;
    }
  }
}

kyoto::task<void> on_shutdown_signal(kyoto::cancellation_token stop) {
  auto term = kyoto::signal::unix_signal(kyoto::signal::kind::terminate());
  if (!term) co_return;
  co_await kyoto::select(kyoto::signal::ctrl_c(), term->recv());
  stop.cancel();
}

kyoto::task<int> async_main(std::string addr) {
  auto listener = kyoto::net::tcp_listener::bind(addr);
  if (!listener) {
    std::fprintf(stderr, "echo_server: cannot listen on %s: %s\n", addr.c_str(),
                 listener.error().message().c_str());
    co_return 1;
  }
  std::printf("echo_server: listening on %s\n", listener->local_addr()->to_string().c_str());
  std::fflush(nullptr);
  kyoto::cancellation_token stop;
  kyoto::spawn(on_shutdown_signal(stop));
  kyoto::join_set<void> connections;
  for (;;) {
    auto next = co_await kyoto::select(listener->accept(), stop.cancelled());
    if (next.index() == 1) break;
    auto& conn = std::get<0>(next);
    if (!conn) {
      std::fprintf(stderr, "echo_server: accept: %s\n", conn.error().message().c_str());
      continue;  // e.g. out of descriptors: accept does not spin
    }
    connections.spawn(serve(std::move(conn->first), stop.child_token()));
    // Reap the finished ones: the set holds only open connections.
    while (connections.try_join_next()) {
    }
  }
  std::size_t open = connections.size();
  while (co_await connections.join_next()) {
  }
  std::printf("echo_server: shut down (%zu connections drained)\n", open);
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string port = argc > 1 ? argv[1] : "8080";
  std::string host = argc > 2 ? argv[2] : "127.0.0.1";
  std::string addr =
      host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
  return kyoto::run(async_main(addr));
}
