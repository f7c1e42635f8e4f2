// net::tcp_stream: a connected TCP socket (Tokio's TcpStream).
//   auto s = co_await
//   kyoto::net::tcp_stream::connect(*kyoto::net::socket_addr::parse("127.0.0.1:6379")); if (!s)
//   co_return s.error();                       // e.g. std::errc::connection_refused co_await
//   kyoto::io::write_all(*s, "PING\r\n");
// A tcp_stream is async_read + async_write, so every io:: helper works on it
// (read, read_exact, write_all, buf_reader, lines, copy...).
//
// Cancel safety: poll_read / poll_write and the futures built on them lose
// nothing when dropped (no byte is taken from the socket without being
// returned); readable() / writable() / peek() are cancel safe; connect is
// not resumable: dropping it closes the half-open socket.
// Errors are std::error_code values of the system category (ECONNRESET,
// EPIPE - never a SIGPIPE -, ECONNREFUSED, ETIMEDOUT...).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "kyoto/core/task.hpp"
#include "kyoto/io/detail/io_source.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/net/socket_addr.hpp"

namespace kyoto::net {

/// Which directions shutdown() ends.
enum class shutdown_how { read, write, both };

class owned_read_half;
class owned_write_half;

class tcp_stream {
 public:
  /// poll_read and poll_write may run at once on two threads (io::split
  /// then needs no lock).
  static constexpr bool concurrent_read_write = true;

  tcp_stream() noexcept = default;
  tcp_stream(tcp_stream&&) noexcept = default;
  tcp_stream& operator=(tcp_stream&&) noexcept = default;

  /// Non-blocking connect (EINPROGRESS, wait writable, SO_ERROR).
  static task<io::result<tcp_stream>> connect(socket_addr addr);
  /// Resolves "host:port" (lookup_host) and tries each address in turn.
  static task<io::result<tcp_stream>> connect(std::string host_port);
  /// Adopts a connected socket descriptor (made non-blocking here).
  static io::result<tcp_stream> from_fd(int fd);

  // async_read / async_write.
  poll_result<io::result<void>> poll_read(context& cx, io::read_buf& buf) {
    return src_.poll_read(cx, buf);
  }
  poll_result<io::result<std::size_t>> poll_write(context& cx, std::span<const std::byte> b) {
    return src_.poll_write(cx, b);
  }
  /// Writes several buffers with one sendmsg (what write_all of slices uses).
  poll_result<io::result<std::size_t>> poll_write_vectored(
      context& cx, std::span<const std::span<const std::byte>> bufs);
  poll_result<io::result<void>> poll_flush(context&) { return io::result<void>(); }
  /// Ends the write direction (the peer reads end of stream).
  poll_result<io::result<void>> poll_shutdown(context&) { return shutdown(shutdown_how::write); }

  /// Waits until the socket may be readable / writable (spurious readiness
  /// is possible: follow with try_read / try_write).
  io::detail::readiness_wait readable() noexcept {
    return io::detail::readiness_wait(src_.reg(), io::detail::read_mask);
  }
  io::detail::readiness_wait writable() noexcept {
    return io::detail::readiness_wait(src_.reg(), io::detail::write_mask);
  }
  /// One read without waiting; std::errc::operation_would_block if none.
  io::result<std::size_t> try_read(std::span<std::byte> buf);
  io::result<std::size_t> try_write(std::span<const std::byte> buf);

  /// Reads without consuming: the next read sees the same bytes.
  class [[nodiscard]] peek_future {
   public:
    using output_type = io::result<std::size_t>;
    peek_future(tcp_stream& s, std::span<std::byte> buf) noexcept : s_(&s), buf_(buf) {}
    poll_result<output_type> poll(context& cx) {
      io::read_buf rb(buf_);
      return s_->src_.poll_peek(cx, rb);
    }

   private:
    tcp_stream* s_;
    std::span<std::byte> buf_;
  };
  peek_future peek(std::span<std::byte> buf) noexcept { return peek_future(*this, buf); }

  io::result<void> set_nodelay(bool on);
  io::result<bool> nodelay() const;
  /// SO_LINGER: nullopt turns it off; zero makes close send a reset.
  io::result<void> set_linger(std::optional<std::chrono::seconds> linger);
  io::result<void> set_keepalive(bool on);
  io::result<void> set_ttl(std::uint32_t ttl);
  io::result<socket_addr> peer_addr() const;
  io::result<socket_addr> local_addr() const;
  io::result<void> shutdown(shutdown_how how);

  /// Splits into halves that two tasks may use at once (one reads, one
  /// writes). Dropping the write half ends the write direction.
  std::pair<owned_read_half, owned_write_half> into_split() &&;

  int fd() const noexcept { return src_.fd(); }

 private:
  friend class tcp_listener;
  friend class tcp_socket;
  explicit tcp_stream(io::detail::io_source src) noexcept : src_(std::move(src)) {}
  io::detail::io_source src_;
};

class owned_read_half {
 public:
  poll_result<io::result<void>> poll_read(context& cx, io::read_buf& buf) {
    return s_->poll_read(cx, buf);
  }
  io::detail::readiness_wait readable() noexcept { return s_->readable(); }
  io::result<std::size_t> try_read(std::span<std::byte> buf) { return s_->try_read(buf); }
  tcp_stream::peek_future peek(std::span<std::byte> buf) noexcept { return s_->peek(buf); }
  io::result<socket_addr> peer_addr() const { return s_->peer_addr(); }
  io::result<socket_addr> local_addr() const { return s_->local_addr(); }

 private:
  friend class tcp_stream;
  explicit owned_read_half(std::shared_ptr<tcp_stream> s) noexcept : s_(std::move(s)) {}
  std::shared_ptr<tcp_stream> s_;
};

class owned_write_half {
 public:
  owned_write_half(owned_write_half&&) noexcept = default;
  owned_write_half& operator=(owned_write_half&& o) noexcept;
  ~owned_write_half();

  poll_result<io::result<std::size_t>> poll_write(context& cx, std::span<const std::byte> b) {
    return s_->poll_write(cx, b);
  }
  poll_result<io::result<std::size_t>> poll_write_vectored(
      context& cx, std::span<const std::span<const std::byte>> bufs) {
    return s_->poll_write_vectored(cx, bufs);
  }
  poll_result<io::result<void>> poll_flush(context& cx) { return s_->poll_flush(cx); }
  poll_result<io::result<void>> poll_shutdown(context& cx) { return s_->poll_shutdown(cx); }
  io::detail::readiness_wait writable() noexcept { return s_->writable(); }
  io::result<std::size_t> try_write(std::span<const std::byte> buf) { return s_->try_write(buf); }
  io::result<socket_addr> peer_addr() const { return s_->peer_addr(); }
  io::result<socket_addr> local_addr() const { return s_->local_addr(); }
  /// Drops the half without ending the write direction.
  void forget() && { s_.reset(); }

 private:
  friend class tcp_stream;
  explicit owned_write_half(std::shared_ptr<tcp_stream> s) noexcept : s_(std::move(s)) {}
  std::shared_ptr<tcp_stream> s_;
};

}  // namespace kyoto::net
