// W10: TCP echo server on 127.0.0.1:<port>, kyoto multi-thread runtime
// (one worker per CPU), line for line the Tokio peer's tokio-echo.
// Usage: kyoto_echo <port>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kyoto/kyoto.hpp"

namespace {

kyoto::task<void> serve(kyoto::net::tcp_stream stream) {
  (void)stream.set_nodelay(true);
  std::vector<std::byte> buf(16 * 1024);
  for (;;) {
    auto n = co_await kyoto::io::read(stream, std::span(buf));
    if (!n || *n == 0) co_return;
    if (!co_await kyoto::io::write_all(stream, std::span<const std::byte>(buf.data(), *n))) {
      co_return;
    }
  }
}

kyoto::task<int> async_main(std::uint16_t port) {
  auto listener = kyoto::net::tcp_listener::bind(kyoto::net::socket_addr::v4({127, 0, 0, 1}, port));
  if (!listener) {
    std::fprintf(stderr, "kyoto_echo: cannot listen on 127.0.0.1:%u: %s\n", port,
                 listener.error().message().c_str());
    co_return 1;
  }
  for (;;) {
    auto conn = co_await listener->accept();
    if (conn) {
      auto h = kyoto::spawn(serve(std::move(conn->first)));
      (void)h;  // detached
    } else {
      std::fprintf(stderr, "kyoto_echo: accept: %s\n", conn.error().message().c_str());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int port = argc > 1 ? std::atoi(argv[1]) : 0;
  if (port <= 0 || port > 65535) {
    std::fprintf(stderr, "usage: kyoto_echo <port>\n");
    return 2;
  }
  return kyoto::run(async_main(static_cast<std::uint16_t>(port)));
}
