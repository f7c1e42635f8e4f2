// W11: HTTP/1.1 keep-alive plaintext server with Boost.Beast on Asio coroutines.
// Answers `GET /plaintext` with `Hello, World!`; anything else gets 404.
// Usage: asio-http <port>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <ctime>

#include "server_common.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using bench_server::use_nothrow;

// The Date header, formatted at most once a second per thread.
static const std::string& http_date() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  std::time_t now = std::time(nullptr);
  if (now != last) {
    char buf[64];
    std::tm tm;
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    text = buf;
    last = now;
  }
  return text;
}

static asio::awaitable<void> http_session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    auto [rec, rn] = co_await http::async_read(stream, buffer, req, use_nothrow);
    if (rec) break;
    http::response<http::string_body> res;
    res.version(req.version());
    if (req.method() == http::verb::get && req.target() == "/plaintext") {
      res.result(http::status::ok);
      res.set(http::field::content_type, "text/plain");
      res.body() = "Hello, World!";
    } else {
      res.result(http::status::not_found);
      res.body() = "Not Found";
    }
    res.set(http::field::server, "asio-beast");
    res.set(http::field::date, http_date());
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, use_nothrow);
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

int main(int argc, char** argv) {
  return bench_server::serve(argc, argv, "asio-http", http_session);
}
