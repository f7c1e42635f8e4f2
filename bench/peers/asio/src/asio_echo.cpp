// W10: TCP echo server on 127.0.0.1:<port> with Boost.Asio coroutines.
// Usage: asio-echo <port>
#include "server_common.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using bench_server::use_nothrow;

static asio::awaitable<void> echo_session(tcp::socket socket) {
  char buf[16 * 1024];
  for (;;) {
    auto [rec, n] = co_await socket.async_read_some(asio::buffer(buf), use_nothrow);
    if (rec) co_return;
    auto [wec, m] = co_await asio::async_write(socket, asio::buffer(buf, n), use_nothrow);
    if (wec) co_return;
  }
}

int main(int argc, char** argv) {
  return bench_server::serve(argc, argv, "asio-echo", echo_session);
}
