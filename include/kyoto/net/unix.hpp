// Unix-domain sockets (Tokio's UnixListener, UnixStream, UnixDatagram).
//   auto l = kyoto::net::unix_listener::bind("/tmp/app.sock");
//   auto s = co_await kyoto::net::unix_stream::connect("/tmp/app.sock");
//   auto [a, b] = *kyoto::net::unix_stream::pair();
// Addresses are filesystem paths, abstract names (Linux:
// unix_socket_addr::from_abstract_name, no file is created) or unnamed (an
// unbound or paired socket). A path longer than sun_path is
// std::errc::filename_too_long. Binding does not remove an existing file
// (EADDRINUSE): remove a stale socket file first.
// Cancel safety: as for TCP (reads, writes, accept and datagram operations
// are cancel safe; a dropped connect closes the socket).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "kyoto/core/task.hpp"
#include "kyoto/io/detail/io_source.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/net/tcp_stream.hpp"

namespace kyoto::net {

class unix_socket_addr {
 public:
  /// Unnamed.
  unix_socket_addr() noexcept = default;
  static io::result<unix_socket_addr> from_pathname(std::string_view path);
  static io::result<unix_socket_addr> from_abstract_name(std::string_view name);
  static io::result<unix_socket_addr> from_sockaddr(const void* sa, std::size_t len);

  bool is_unnamed() const noexcept { return kind_ == kind::unnamed; }
  std::optional<std::string> as_pathname() const;
  std::optional<std::string> as_abstract_name() const;
  std::string to_string() const;
  /// Fills `out` (a sockaddr_un or larger) and returns the length used.
  std::size_t to_sockaddr(void* out) const noexcept;

  friend bool operator==(const unix_socket_addr&, const unix_socket_addr&) = default;

 private:
  enum class kind : unsigned char { unnamed, pathname, abstract };
  kind kind_ = kind::unnamed;
  std::string name_;
};

class unix_stream {
 public:
  /// poll_read and poll_write may run at once on two threads.
  static constexpr bool concurrent_read_write = true;

  unix_stream() noexcept = default;
  unix_stream(unix_stream&&) noexcept = default;
  unix_stream& operator=(unix_stream&&) noexcept = default;

  static task<io::result<unix_stream>> connect(std::string path);
  static task<io::result<unix_stream>> connect_addr(unix_socket_addr addr);
  /// Two connected, unnamed sockets (socketpair).
  static io::result<std::pair<unix_stream, unix_stream>> pair();
  static io::result<unix_stream> from_fd(int fd);

  poll_result<io::result<void>> poll_read(context& cx, io::read_buf& buf) {
    return src_.poll_read(cx, buf);
  }
  poll_result<io::result<std::size_t>> poll_write(context& cx, std::span<const std::byte> b) {
    return src_.poll_write(cx, b);
  }
  /// Writes several buffers with one sendmsg.
  poll_result<io::result<std::size_t>> poll_write_vectored(
      context& cx, std::span<const std::span<const std::byte>> bufs) {
    return src_.poll_write_vectored(cx, bufs);
  }
  poll_result<io::result<void>> poll_flush(context&) { return io::result<void>(); }
  poll_result<io::result<void>> poll_shutdown(context&) { return shutdown(shutdown_how::write); }

  io::detail::readiness_wait readable() noexcept {
    return io::detail::readiness_wait(src_.reg(), io::detail::read_mask);
  }
  io::detail::readiness_wait writable() noexcept {
    return io::detail::readiness_wait(src_.reg(), io::detail::write_mask);
  }
  io::result<std::size_t> try_read(std::span<std::byte> buf);
  io::result<std::size_t> try_write(std::span<const std::byte> buf);

  io::result<unix_socket_addr> local_addr() const;
  io::result<unix_socket_addr> peer_addr() const;
  io::result<void> shutdown(shutdown_how how);
  int fd() const noexcept { return src_.fd(); }

 private:
  friend class unix_listener;
  explicit unix_stream(io::detail::io_source src) noexcept : src_(std::move(src)) {}
  io::detail::io_source src_;
};

class unix_listener {
 public:
  unix_listener() noexcept = default;
  unix_listener(unix_listener&&) noexcept = default;
  unix_listener& operator=(unix_listener&&) noexcept = default;

  static io::result<unix_listener> bind(std::string_view path);
  static io::result<unix_listener> bind_addr(const unix_socket_addr& addr);

  using accept_output = io::result<std::pair<unix_stream, unix_socket_addr>>;
  poll_result<accept_output> poll_accept(context& cx);
  auto accept() noexcept {
    return io::detail::poll_fn([this](context& cx) { return poll_accept(cx); });
  }
  io::result<unix_socket_addr> local_addr() const;
  int fd() const noexcept { return src_.fd(); }

 private:
  explicit unix_listener(io::detail::io_source src) noexcept : src_(std::move(src)) {}
  io::detail::io_source src_;
};

class unix_datagram {
 public:
  unix_datagram() noexcept = default;
  unix_datagram(unix_datagram&&) noexcept = default;
  unix_datagram& operator=(unix_datagram&&) noexcept = default;

  static io::result<unix_datagram> bind(std::string_view path);
  static io::result<unix_datagram> bind_addr(const unix_socket_addr& addr);
  /// Not bound to any address (it can still send and, once connected, receive).
  static io::result<unix_datagram> unbound();
  static io::result<std::pair<unix_datagram, unix_datagram>> pair();

  io::result<void> connect(std::string_view path);

  using recv_from_output = io::result<std::pair<std::size_t, unix_socket_addr>>;
  poll_result<io::result<std::size_t>> poll_send_to(context& cx, std::span<const std::byte> buf,
                                                    const unix_socket_addr& to);
  poll_result<recv_from_output> poll_recv_from(context& cx, std::span<std::byte> buf);
  poll_result<io::result<std::size_t>> poll_send(context& cx, std::span<const std::byte> buf);
  poll_result<io::result<std::size_t>> poll_recv(context& cx, std::span<std::byte> buf);

  /// send_to(buf, path): the path is resolved once, here.
  auto send_to(std::span<const std::byte> buf, std::string_view path) {
    return send_to_addr(buf, unix_socket_addr::from_pathname(path));
  }
  auto recv_from(std::span<std::byte> buf) noexcept {
    return io::detail::poll_fn([this, buf](context& cx) { return poll_recv_from(cx, buf); });
  }
  auto send(std::span<const std::byte> buf) noexcept {
    return io::detail::poll_fn([this, buf](context& cx) { return poll_send(cx, buf); });
  }
  auto recv(std::span<std::byte> buf) noexcept {
    return io::detail::poll_fn([this, buf](context& cx) { return poll_recv(cx, buf); });
  }

  /// The future of send_to: io::result<std::size_t>.
  class [[nodiscard]] send_to_future {
   public:
    using output_type = io::result<std::size_t>;
    send_to_future(unix_datagram* s, std::span<const std::byte> buf,
                   io::result<unix_socket_addr> to)
        : s_(s), buf_(buf), to_(std::move(to)) {}
    poll_result<output_type> poll(context& cx) {
      if (!to_) return output_type(kyoto::err(to_.error()));
      return s_->poll_send_to(cx, buf_, *to_);
    }

   private:
    unix_datagram* s_;
    std::span<const std::byte> buf_;
    io::result<unix_socket_addr> to_;
  };
  send_to_future send_to_addr(std::span<const std::byte> buf, io::result<unix_socket_addr> to) {
    return send_to_future(this, buf, std::move(to));
  }

  io::result<unix_socket_addr> local_addr() const;
  io::result<unix_socket_addr> peer_addr() const;
  int fd() const noexcept { return src_.fd(); }

 private:
  explicit unix_datagram(io::detail::io_source src) noexcept : src_(std::move(src)) {}
  io::detail::io_source src_;
};

}  // namespace kyoto::net
