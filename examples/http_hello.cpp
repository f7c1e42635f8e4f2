// An HTTP/1.1 keep-alive "hello world" server (and kyoto's side of bench
// W11, as bench/kyoto's kyoto_http). Requests are parsed by Node's
// http_parser (Debian's libhttp-parser-dev); several requests arriving in
// one read are answered with one write.
//   http_hello [port] [address]          (default 8080 127.0.0.1)
//   curl http://127.0.0.1:8080/          wrk -c64 -d5s http://127.0.0.1:8080/plaintext
// GET or HEAD of / or /plaintext: 200 "Hello, World!"; another path: 404;
// another method: 405. A malformed request gets 400 and the connection is
// closed. Ctrl-C / SIGTERM: stop accepting, finish the requests already
// read, close idle connections, exit 0.
#include <http_parser.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <kyoto/kyoto.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_url = 8 * 1024;
constexpr std::uint32_t max_header = 16 * 1024;

std::atomic<std::uint64_t> requests_served{0};

// The Date header's value, formatted at most once a second per thread.
std::string_view http_date() {
  thread_local std::time_t last = 0;
  thread_local char text[64];
  std::time_t now = std::time(nullptr);
  if (now != last) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    last = now;
  }
  return text;
}

// One connection's parser state and the responses not yet written.
struct session {
  http_parser parser{};
  std::string url;
  std::string out;
  bool close = false;  // after writing `out`

  session() {
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = this;
  }
  session(const session&) = delete;

  void respond(std::string_view status, std::string_view body, bool head,
               std::string_view extra_headers = {}) {
    out.append("HTTP/1.1 ")
        .append(status)
        .append("\r\nServer: kyoto\r\nDate: ")
        .append(http_date());
    out.append("\r\nContent-Type: text/plain\r\nContent-Length: ")
        .append(std::to_string(body.size()));
    out.append("\r\n").append(extra_headers);
    if (close) {
      out.append("Connection: close\r\n");
    } else if (parser.http_major == 1 && parser.http_minor == 0) {
      out.append("Connection: keep-alive\r\n");
    }
    out.append("\r\n");
    if (!head) out.append(body);
  }

  void answer() {
    close = !http_should_keep_alive(&parser);
    std::string_view path(url);
    path = path.substr(0, path.find('?'));
    bool head = parser.method == HTTP_HEAD;
    if (path != "/" && path != "/plaintext") {
      respond("404 Not Found", "Not Found", head);
    } else if (parser.method != HTTP_GET && !head) {
      respond("405 Method Not Allowed", "Method Not Allowed", false, "Allow: GET, HEAD\r\n");
    } else {
      respond("200 OK", "Hello, World!", head);
    }
    requests_served.fetch_add(1, std::memory_order_relaxed);
  }

  static session& of(http_parser* p) { return *static_cast<session*>(p->data); }
  static int on_message_begin(http_parser* p) {
    of(p).url.clear();
    return 0;
  }
  static int on_url(http_parser* p, const char* at, std::size_t n) {
    auto& s = of(p);
    if (s.url.size() + n > max_url) return 1;  // an error: answered with 400
    s.url.append(at, n);
    return 0;
  }
  static int on_message_complete(http_parser* p) {
    auto& s = of(p);
    s.answer();
    if (s.close) http_parser_pause(p, 1);  // nothing after this request is read
    return 0;
  }
  static const http_parser_settings& settings() {
    static const http_parser_settings s = [] {
      http_parser_settings st;
      http_parser_settings_init(&st);
      st.on_message_begin = on_message_begin;
      st.on_url = on_url;
      st.on_message_complete = on_message_complete;
      return st;
    }();
    return s;
  }

  // Parses what was read; queues the answers (and a 400 for bad input).
  void feed(const char* data, std::size_t n) {
    http_parser_execute(&parser, &settings(), data, n);
    auto e = HTTP_PARSER_ERRNO(&parser);
    if (e == HPE_PAUSED) return;  // a request that ends the connection
    if (e != HPE_OK || parser.upgrade) {
      close = true;
      respond("400 Bad Request", "Bad Request", false);
    }
  }
};

kyoto::task<void> serve(kyoto::net::tcp_stream stream, kyoto::cancellation_token stop) {
  (void)stream.set_nodelay(true);
  session s;
  std::vector<char> buf(16 * 1024);
  auto bytes = std::as_writable_bytes(std::span(buf));
  // One wait on the token for the connection's life: select polls an
  // lvalue branch in place, so no read registers and unregisters a waiter.
  auto stopping = stop.cancelled();
  for (;;) {
    auto got = co_await kyoto::select(kyoto::io::read(stream, bytes), stopping);
    if (got.index() == 1) break;  // shutting down, between requests
    auto& n = std::get<0>(got);
    if (!n || *n == 0) break;  // error or end of stream
    s.feed(buf.data(), *n);
    if (!s.out.empty()) {
      if (!co_await kyoto::io::write_all(stream, s.out)) break;
      s.out.clear();
    }
    if (s.close) {
      // Close gracefully: end our side, then let the client's last bytes
      // arrive (bounded) so that the kernel does not answer them with a
      // reset that could destroy the response in flight.
      (void)stream.shutdown(kyoto::net::shutdown_how::write);
      for (int i = 0; i < 16; ++i) {
        auto rest = co_await kyoto::timeout(1s, kyoto::io::read(stream, bytes));
        if (!rest || !*rest || **rest == 0) break;
      }
      break;
    }
  }
}

// A future that is always ready: select(f, ready_now()) polls f once.
struct ready_now {
  using output_type = std::monostate;
  kyoto::poll_result<std::monostate> poll(kyoto::context&) {
    return kyoto::poll_result<std::monostate>::ready(std::monostate());
  }
};

// Joins the connections that have already ended, so the set holds only
// live ones.
kyoto::task<> reap_finished(kyoto::join_set<void>& connections) {
  for (;;) {
    auto r = co_await kyoto::select(connections.join_next(), ready_now());
    if (r.index() == 1 || !std::get<0>(r)) co_return;
  }
}

kyoto::task<int> on_shutdown_signal(kyoto::cancellation_token stop) {
  auto term = kyoto::signal::unix_signal(kyoto::signal::kind::terminate());
  if (!term) co_return 1;
  co_await kyoto::select(kyoto::signal::ctrl_c(), term->recv());
  stop.cancel();
  co_return 0;
}

kyoto::task<int> async_main(std::string addr) {
  auto listener = kyoto::net::tcp_listener::bind(addr);
  if (!listener) {
    std::fprintf(stderr, "http_hello: cannot listen on %s: %s\n", addr.c_str(),
                 listener.error().message().c_str());
    co_return 1;
  }
  std::printf("http_hello: listening on http://%s/\n", listener->local_addr()->to_string().c_str());
  std::fflush(nullptr);
  kyoto::cancellation_token stop;
  kyoto::spawn(on_shutdown_signal(stop));
  kyoto::join_set<void> connections;
  std::uint64_t accepted = 0;
  for (;;) {
    auto next = co_await kyoto::select(listener->accept(), stop.cancelled());
    if (next.index() == 1) break;
    auto& conn = std::get<0>(next);
    if (!conn) {
      std::fprintf(stderr, "http_hello: accept: %s\n", conn.error().message().c_str());
      continue;  // e.g. out of descriptors: accept does not spin
    }
    ++accepted;
    connections.spawn(serve(std::move(conn->first), stop.child_token()));
    // Reap the finished ones: the set holds only open connections.
    while (connections.try_join_next()) {
    }
    co_await reap_finished(connections);
  }
  while (co_await connections.join_next()) {
  }
  std::printf("http_hello: shut down (%llu requests on %llu connections)\n",
              static_cast<unsigned long long>(requests_served.load()),
              static_cast<unsigned long long>(accepted));
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  http_parser_set_max_header_size(max_header);
  std::string port = argc > 1 ? argv[1] : "8080";
  std::string host = argc > 2 ? argv[2] : "127.0.0.1";
  std::string addr =
      host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
  return kyoto::run(async_main(addr));
}
