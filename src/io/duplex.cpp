// One direction of a duplex pair is a pipe: a bounded byte queue under a
// mutex, the waker of the reader waiting for bytes and the waker of the
// writer waiting for room. Every field is guarded by lock; wakers are
// taken out under the lock and woken after it is released. A side that
// returns pending has stored its waker under the same lock hold in which
// it saw no bytes (or no room), and the other side takes that waker under
// the lock after adding bytes (or room): no wake-up is lost.
#include "kyoto/io/duplex.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <system_error>

#include "kyoto/core/waker.hpp"
#include "kyoto/detail/sync_primitives.hpp"
#include "kyoto/runtime/coop.hpp"

namespace kyoto::io {
namespace detail {

struct pipe {
  explicit pipe(std::size_t max) : max_size(max) {}
  kyoto::detail::mutex lock;
  std::deque<std::byte> bytes;
  const std::size_t max_size;
  kyoto::waker reader;        // waiting for bytes
  kyoto::waker writer;        // waiting for room
  bool write_closed = false;  // no more bytes will come: EOF once drained
  bool read_closed = false;   // nobody reads: writes fail
};

}  // namespace detail

namespace {
// An empty slot holds the no-op waker: waking it does nothing.
void wake(kyoto::waker& w) { std::exchange(w, kyoto::waker()).wake(); }
}  // namespace

std::pair<duplex_stream, duplex_stream> duplex(std::size_t max_buf_size) {
  std::size_t max = max_buf_size ? max_buf_size : 1;
  auto a_to_b = std::make_shared<detail::pipe>(max);
  auto b_to_a = std::make_shared<detail::pipe>(max);
  return {duplex_stream(b_to_a, a_to_b), duplex_stream(a_to_b, b_to_a)};
}

duplex_stream& duplex_stream::operator=(duplex_stream&& o) noexcept {
  if (this != &o) {
    close();
    read_ = std::move(o.read_);
    write_ = std::move(o.write_);
  }
  return *this;
}

duplex_stream::~duplex_stream() { close(); }

void duplex_stream::close() noexcept {
  kyoto::waker peer_reader, peer_writer;
  if (write_) {
    kyoto::detail::lock_guard g(write_->lock);
    write_->write_closed = true;
    peer_reader = std::move(write_->reader);
  }
  if (read_) {
    kyoto::detail::lock_guard g(read_->lock);
    read_->read_closed = true;
    read_->bytes.clear();
    peer_writer = std::move(read_->writer);
  }
  wake(peer_reader);
  wake(peer_writer);
  read_.reset();
  write_.reset();
}

poll_result<result<void>> duplex_stream::poll_read(context& cx, read_buf& buf) {
  if (!coop::poll_proceed(cx)) return pending;
  detail::pipe& p = *read_;
  kyoto::waker writer;
  {
    kyoto::detail::lock_guard g(p.lock);
    if (p.bytes.empty()) {
      if (p.write_closed || buf.remaining() == 0) return result<void>();  // end of stream
      if (!p.reader.will_wake(cx.waker())) p.reader = cx.waker();
      return pending;
    }
    std::size_t n = std::min(p.bytes.size(), buf.remaining());
    auto first = p.bytes.begin();
    std::copy(first, first + static_cast<std::ptrdiff_t>(n), buf.unfilled().begin());
    buf.advance(n);
    p.bytes.erase(first, first + static_cast<std::ptrdiff_t>(n));
    writer = std::move(p.writer);
  }
  wake(writer);
  return result<void>();
}

poll_result<result<std::size_t>> duplex_stream::poll_write(context& cx,
                                                           std::span<const std::byte> bytes) {
  using out = result<std::size_t>;
  if (!coop::poll_proceed(cx)) return pending;
  if (!write_) return out(kyoto::err(std::make_error_code(std::errc::broken_pipe)));
  detail::pipe& p = *write_;
  kyoto::waker reader;
  std::size_t n;
  {
    kyoto::detail::lock_guard g(p.lock);
    if (p.read_closed || p.write_closed) {
      return out(kyoto::err(std::make_error_code(std::errc::broken_pipe)));
    }
    if (bytes.empty()) return out(std::size_t{0});
    std::size_t room = p.max_size - p.bytes.size();
    if (room == 0) {
      if (!p.writer.will_wake(cx.waker())) p.writer = cx.waker();
      return pending;
    }
    n = std::min(room, bytes.size());
    p.bytes.insert(p.bytes.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    reader = std::move(p.reader);
  }
  wake(reader);
  return out(n);
}

poll_result<result<std::size_t>> duplex_stream::poll_write_vectored(
    context& cx, std::span<const std::span<const std::byte>> slices) {
  using out = result<std::size_t>;
  if (!coop::poll_proceed(cx)) return pending;
  if (!write_) return out(kyoto::err(std::make_error_code(std::errc::broken_pipe)));
  detail::pipe& p = *write_;
  kyoto::waker reader;
  std::size_t n = 0;
  {
    kyoto::detail::lock_guard g(p.lock);
    if (p.read_closed || p.write_closed) {
      return out(kyoto::err(std::make_error_code(std::errc::broken_pipe)));
    }
    std::size_t room = p.max_size - p.bytes.size();
    bool any = false;
    for (const auto& s : slices) {
      if (s.empty()) continue;
      any = true;
      std::size_t k = std::min(room - n, s.size());
      p.bytes.insert(p.bytes.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(k));
      n += k;
      if (n == room) break;
    }
    if (!any) return out(std::size_t{0});
    if (n == 0) {
      if (!p.writer.will_wake(cx.waker())) p.writer = cx.waker();
      return pending;
    }
    reader = std::move(p.reader);
  }
  wake(reader);
  return out(n);
}

poll_result<result<void>> duplex_stream::poll_flush(context&) { return result<void>(); }

poll_result<result<void>> duplex_stream::poll_shutdown(context&) {
  kyoto::waker reader;
  {
    kyoto::detail::lock_guard g(write_->lock);
    write_->write_closed = true;
    reader = std::move(write_->reader);
  }
  wake(reader);
  return result<void>();
}

}  // namespace kyoto::io
