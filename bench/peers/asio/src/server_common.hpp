// Shared bits of the Asio servers: argument parsing, the listener and the
// thread pool (one io_context run by one thread per CPU).
#pragma once

#include <algorithm>
#include <boost/asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace bench_server {

namespace asio = boost::asio;
using asio::ip::tcp;

inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

inline unsigned short port_arg(int argc, char** argv, const char* prog) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <port>\n", prog);
    std::exit(2);
  }
  int p = std::atoi(argv[1]);
  if (p <= 0 || p > 65535) {
    std::fprintf(stderr, "%s: bad port '%s'\n", prog, argv[1]);
    std::exit(2);
  }
  return static_cast<unsigned short>(p);
}

// Accepts connections on 127.0.0.1:port and co_spawns `session(socket)` for each.
template <typename Session>
asio::awaitable<void> listen(tcp::acceptor acceptor, Session session) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
    if (ec) continue;
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
  }
}

template <typename Session>
int serve(int argc, char** argv, const char* prog, Session session) {
  unsigned short port = port_arg(argc, argv, prog);
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  asio::io_context ctx(static_cast<int>(threads));
  tcp::acceptor acceptor(ctx);
  try {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: cannot listen on 127.0.0.1:%u: %s\n", prog, port, e.what());
    return 1;
  }
  asio::co_spawn(ctx, listen(std::move(acceptor), session), asio::detached);
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ctx] { ctx.run(); });
  ctx.run();
  for (auto& t : pool) t.join();
  return 0;
}

}  // namespace bench_server
