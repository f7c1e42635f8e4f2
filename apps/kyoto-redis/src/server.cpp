#include "server.hpp"

#include <cstdio>
#include <thread>
#include <variant>

namespace kyoto_redis {

namespace {

using namespace std::chrono_literals;

kyoto::task<void> on_signal(kyoto::cancellation_token stop) {
  auto term = kyoto::signal::unix_signal(kyoto::signal::kind::terminate());
  if (!term) co_return;
  auto cancelled = stop.cancelled();
  auto which = co_await kyoto::select(kyoto::signal::ctrl_c(), term->recv(), cancelled);
  if (which.index() != 2) stop.cancel();
}

kyoto::task<void> expire_cycle(server_state& state) {
  auto cancelled = state.stop.cancelled();
  for (;;) {
    auto r = co_await kyoto::select(kyoto::sleep(100ms), cancelled);
    if (r.index() == 1) co_return;
    auto n = state.db.expire_sample(now_ms());
    if (n > 0) state.expired_keys.fetch_add(static_cast<std::int64_t>(n));
  }
}

// A client over --maxclients: the error, then a graceful close (our side
// first, then whatever the client still sends, bounded) so that the reply
// is not lost to a reset.
kyoto::task<void> reject(kyoto::net::tcp_stream stream) {
  if (!co_await kyoto::io::write_all(stream, "-ERR max number of clients reached\r\n")) co_return;
  (void)stream.shutdown(kyoto::net::shutdown_how::write);
  std::array<std::byte, 4096> sink;
  for (int i = 0; i < 64; ++i) {
    auto n = co_await kyoto::timeout(1s, kyoto::io::read(stream, sink));
    if (!n || !*n || **n == 0) break;
  }
}

kyoto::task<void> drain(kyoto::join_set<void>& set) {
  for (;;) {
    auto joined = co_await set.join_next();
    if (!joined) co_return;
  }
}

// Joins connections as they end, so that the set holds only live ones.
kyoto::task<void> reap(kyoto::join_set<void>& set, kyoto::cancellation_token stop) {
  co_await drain(set);
  co_await stop.cancelled();
}

// Accepts until the stop token is cancelled; owns the listener, so that
// new clients are refused as soon as it returns.
kyoto::task<void> accept_loop(server_state& state, kyoto::net::tcp_listener listener,
                              kyoto::join_set<void>& connections) {
  const auto& o = state.opts;
  for (;;) {
    auto next = co_await kyoto::select(listener.accept(), state.stop.cancelled(),
                                       reap(connections, state.stop));
    if (next.index() != 0) co_return;
    auto& conn = std::get<0>(next);
    if (!conn) {
      if (!o.quiet) {
        std::fprintf(stderr, "kyoto-redis: accept: %s\n", conn.error().message().c_str());
      }
      continue;  // e.g. out of descriptors: accept does not spin
    }
    state.total_connections.fetch_add(1, std::memory_order_relaxed);
    if (state.connected_clients.load(std::memory_order_relaxed) >=
        static_cast<std::int64_t>(o.maxclients)) {
      state.rejected_connections.fetch_add(1, std::memory_order_relaxed);
      connections.spawn(reject(std::move(conn->first)));
      continue;
    }
    state.connected_clients.fetch_add(1, std::memory_order_relaxed);
    connections.spawn(serve_connection(state, std::move(conn->first), conn->second.to_string()));
  }
}

}  // namespace

kyoto::task<int> serve(server_state& state, std::function<void(server_state&)> on_ready) {
  const auto& o = state.opts;
  std::string addr = o.bind.find(':') != std::string::npos
                         ? "[" + o.bind + "]:" + std::to_string(o.port)
                         : o.bind + ":" + std::to_string(o.port);
  auto listener = kyoto::net::tcp_listener::bind(addr);
  if (!listener) {
    std::fprintf(stderr, "kyoto-redis: cannot listen on %s: %s\n", addr.c_str(),
                 listener.error().message().c_str());
    co_return 1;
  }
  if (auto local = listener->local_addr()) state.bound_port = local->port();
  kyoto::spawn(on_signal(state.stop));
  auto expiry = kyoto::spawn(expire_cycle(std::ref(state)));
  if (on_ready) on_ready(state);
  kyoto::join_set<void> connections;
  co_await accept_loop(state, std::move(*listener), connections);  // the listener closes here
  std::size_t open = connections.size();
  bool finished = static_cast<bool>(co_await kyoto::timeout(5s, drain(connections)));
  std::size_t cut = finished ? 0 : connections.size();
  connections.abort_all();
  co_await drain(connections);
  co_await expiry;
  if (!o.quiet) {
    std::printf("kyoto-redis: shut down (%lld connections served, %zu open at the stop, %zu cut)\n",
                static_cast<long long>(state.total_connections.load()), open, cut);
    std::fflush(stdout);
  }
  co_return 0;
}

int run_server(const options& opts) {
  std::size_t threads = opts.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  server_state state(opts);
  state.worker_threads = threads;
  auto rt = kyoto::runtime::builder::multi_thread().worker_threads(threads).enable_all().build();
  return rt.block_on(serve(state, [](server_state& s) {
    std::printf("kyoto-redis: ready on %s:%u (%zu worker threads); try: redis-cli -p %u ping\n",
                s.opts.bind.c_str(), static_cast<unsigned>(s.bound_port), s.worker_threads,
                static_cast<unsigned>(s.bound_port));
    std::fflush(stdout);
  }));
}

}  // namespace kyoto_redis
