// Cancellation is dropping: destroying a pending future (or aborting a
// spawned task) destroys its coroutine frame, so its locals' destructors
// run in reverse order, and an owned socket is closed at once. The peer
// sees it: its next read returns end of stream.
#include <chrono>
#include <cstdio>
#include <kyoto/kyoto.hpp>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct announce_drop {
  const char* what;
  explicit announce_drop(const char* w) : what(w) {}
  announce_drop(const announce_drop&) = delete;
  ~announce_drop() { std::printf("  %s: destructor ran\n", what); }
};

// Holds a connected socket and waits for data that never comes.
kyoto::task<kyoto::io::result<std::size_t>> wait_for_data(kyoto::net::tcp_stream s,
                                                          const char* name) {
  announce_drop guard(name);
  std::vector<std::byte> buf(64);
  co_return co_await kyoto::io::read(s, std::span(buf));
}

// What the other end of the connection sees within one second.
kyoto::task<> show_peer(kyoto::net::tcp_stream& peer) {
  std::vector<std::byte> buf(64);
  auto n = co_await kyoto::timeout(1s, kyoto::io::read(peer, std::span(buf)));
  if (!n) {
    std::printf("  peer: nothing within 1 s (the socket is still open)\n");
  } else if (!*n) {
    std::printf("  peer: read error %s\n", n->error().message().c_str());
  } else if (**n == 0) {
    std::printf("  peer: read end of stream: the dropped future's socket was closed\n");
  } else {
    std::printf("  peer: read %zu bytes\n", **n);
  }
}

using pair = std::pair<kyoto::net::tcp_stream, kyoto::net::tcp_stream>;
kyoto::task<kyoto::io::result<pair>> connected_pair(kyoto::net::tcp_listener& l) {
  auto addr = co_await kyoto::try_(l.local_addr());
  auto [client, accepted] = co_await kyoto::join(kyoto::net::tcp_stream::connect(addr), l.accept());
  auto c = co_await kyoto::try_(std::move(client));
  auto a = co_await kyoto::try_(std::move(accepted));
  co_return pair(std::move(c), std::move(a.first));
}

kyoto::task<int> demo() {
  auto listener = kyoto::net::tcp_listener::bind("127.0.0.1:0");
  if (!listener) {
    std::fprintf(stderr, "cancel_by_drop: bind: %s\n", listener.error().message().c_str());
    co_return 1;
  }

  std::printf("1. timeout(100ms, f) drops f when the deadline passes:\n");
  auto c1 = co_await connected_pair(*listener);
  if (!c1) co_return 1;
  auto r =
      co_await kyoto::timeout(100ms, wait_for_data(std::move(c1->first), "the timed-out future"));
  std::printf("  timeout: %s\n", r ? "the future finished" : "elapsed, the future is gone");
  co_await show_peer(c1->second);

  std::printf("2. join_handle::abort() drops a spawned task:\n");
  auto c2 = co_await connected_pair(*listener);
  if (!c2) co_return 1;
  auto h = kyoto::spawn(wait_for_data(std::move(c2->first), "the aborted task"));
  co_await kyoto::sleep(50ms);  // it is now waiting in read
  h.abort();
  auto joined = co_await h;
  std::printf("  join: %s\n", !joined && joined.error().is_cancelled() ? "cancelled" : "finished");
  co_await show_peer(c2->second);
  co_return 0;
}

}  // namespace

int main() { return kyoto::run(demo()); }
