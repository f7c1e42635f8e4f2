// net::tcp_listener: a listening TCP socket (Tokio's TcpListener).
//   auto l = kyoto::net::tcp_listener::bind(*kyoto::net::socket_addr::parse("127.0.0.1:0"));
//   for (;;) {
//     auto conn = co_await l->accept();            // io::result<pair<tcp_stream, socket_addr>>
//     if (!conn) continue;                          // EMFILE etc.: see below
//     kyoto::spawn(serve(std::move(conn->first)));
//   }
// bind sets SO_REUSEADDR (as Tokio does); tcp_socket gives the other options.
// Transient accept errors (ECONNABORTED, EPROTO, EINTR) are retried inside
// accept. Descriptor exhaustion (EMFILE / ENFILE): accept frees a spare
// descriptor kept for this purpose, accepts the pending connections and
// closes them at once (their clients see the connection closed), takes the
// spare back, and returns the error; readiness is then cleared, so an
// accept loop that goes on does not spin, existing connections keep being
// served, and new ones are accepted again as soon as descriptors free up.
// Cancel safety: accept is cancel safe (no connection is lost if the future
// is dropped before it completes).
#pragma once

#include <string_view>
#include <utility>

#include "kyoto/io/detail/io_source.hpp"
#include "kyoto/net/socket_addr.hpp"
#include "kyoto/net/tcp_stream.hpp"

namespace kyoto::net {

class tcp_listener {
 public:
  tcp_listener() noexcept = default;
  tcp_listener(tcp_listener&&) noexcept = default;
  tcp_listener& operator=(tcp_listener&&) noexcept = default;

  /// Binds and listens (backlog 1024).
  static io::result<tcp_listener> bind(const socket_addr& addr);
  /// As bind(socket_addr::parse(addr)) (no name resolution).
  static io::result<tcp_listener> bind(std::string_view addr);
  /// Adopts a listening socket descriptor (made non-blocking here).
  static io::result<tcp_listener> from_fd(int fd);

  using accept_output = io::result<std::pair<tcp_stream, socket_addr>>;
  poll_result<accept_output> poll_accept(context& cx);

  class [[nodiscard]] accept_future {
   public:
    using output_type = accept_output;
    explicit accept_future(tcp_listener& l) noexcept : l_(&l) {}
    poll_result<output_type> poll(context& cx) { return l_->poll_accept(cx); }

   private:
    tcp_listener* l_;
  };
  accept_future accept() noexcept { return accept_future(*this); }

  io::result<socket_addr> local_addr() const;
  int fd() const noexcept { return src_.fd(); }

 private:
  friend class tcp_socket;
  explicit tcp_listener(io::detail::io_source src) noexcept : src_(std::move(src)) {}
  io::detail::io_source src_;
};

}  // namespace kyoto::net
