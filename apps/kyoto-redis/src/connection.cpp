// One client connection: read, parse every complete command, execute,
// write all the replies of that read at once (so a pipeline of 16 costs
// one read and one write), repeat.
//
// Memory per connection stays bounded: unparsed input is limited by
// --query-buffer-limit (the connection closes past it); replies are
// flushed whenever 64 KiB have accumulated within one batch, so a client
// that sends without reading is held back by TCP flow control instead of
// growing our buffers; a subscriber's queued messages are limited by
// --output-buffer-limit (past it the connection closes).
//
// (No co_await result is used directly as a condition inside the loops:
// g++ 12 at -O2 has been seen to hang on that form; see the project's
// known compiler traps.)
#include <cstring>
#include <memory>
#include <variant>

#include "command.hpp"
#include "reply.hpp"
#include "resp_parser.hpp"
#include "server.hpp"

namespace kyoto_redis {

namespace {

constexpr std::size_t read_chunk = 16 * 1024;
constexpr std::size_t flush_threshold = 64 * 1024;

// Unparsed input: [begin, end) of a heap block that grows by doubling.
class input_buffer {
 public:
  std::string_view pending() const { return {data_.get() + begin_, end_ - begin_}; }
  std::size_t size() const { return end_ - begin_; }
  void consume(std::size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  // Room for at least `want` more bytes, and towards `total` pending in
  // all (a bulk's announced size) at most by doubling: a client that
  // announces 512 MB and sends nothing does not get 512 MB reserved.
  std::span<std::byte> room(std::size_t want, std::size_t total) {
    if (cap_ - end_ < want) {
      std::size_t live = end_ - begin_;
      std::size_t need = live + want;
      if (total > need) need = std::min(total, std::max(need, 2 * cap_));
      if (begin_ > 0 && cap_ >= need) {
        std::memmove(data_.get(), data_.get() + begin_, live);
      } else {
        std::size_t cap = std::max<std::size_t>(cap_ == 0 ? read_chunk : cap_ * 2, need);
        auto bigger = std::make_unique_for_overwrite<char[]>(cap);
        if (live > 0) std::memcpy(bigger.get(), data_.get() + begin_, live);
        data_ = std::move(bigger);
        cap_ = cap;
      }
      begin_ = 0;
      end_ = live;
    }
    return std::as_writable_bytes(std::span(data_.get() + end_, cap_ - end_));
  }
  void commit(std::size_t n) { end_ += n; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t cap_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

// The connection's side of pub/sub, made on its first (P)SUBSCRIBE.
struct mailbox {
  std::size_t limit = 0;
  std::optional<kyoto::mpsc::receiver<std::string>> rx;
  std::shared_ptr<subscriber> sub;
};

std::shared_ptr<subscriber> make_subscriber(void* p) {
  auto* m = static_cast<mailbox*>(p);
  auto [tx, rx] = kyoto::mpsc::unbounded_channel<std::string>();
  m->rx.emplace(std::move(rx));
  m->sub = std::make_shared<subscriber>(std::move(tx), m->limit);
  return m->sub;
}

// Leaves pub/sub and the client count however the connection ends
// (including an abort at shutdown: the coroutine's locals are destroyed).
struct connection_guard {
  server_state& state;
  client_state& client;
  ~connection_guard() {
    if (client.sub) {
      for (const auto& c : client.channels) state.pubsub.unsubscribe(c, client.sub.get());
      for (const auto& p : client.patterns) state.pubsub.punsubscribe(p, client.sub.get());
      if (client.subscribed()) state.pubsub_clients.fetch_sub(1, std::memory_order_relaxed);
    }
    state.connected_clients.fetch_sub(1, std::memory_order_relaxed);
  }
};

// Completes once the subscriber is over its limit.
kyoto::task<void> overflowed(subscriber& s) {
  for (;;) {
    if (s.overflowed.load(std::memory_order_relaxed)) co_return;
    co_await s.overflow_notify.notified();
  }
}

}  // namespace

kyoto::task<void> serve_connection(server_state& state, kyoto::net::tcp_stream stream,
                                   std::string peer) {
  (void)stream.set_nodelay(true);
  client_state client;
  client.id = state.next_client_id.fetch_add(1, std::memory_order_relaxed);
  client.addr = std::move(peer);
  connection_guard guard{state, client};
  mailbox box;
  box.limit = state.opts.output_buffer_limit;

  parser_limits limits;
  limits.max_bulk_len = state.opts.proto_max_bulk_len;
  request_parser parser(limits);
  input_buffer in;
  std::string out;
  std::size_t out_messages = 0;  // bytes of pub/sub messages in `out`
  bool closing = false;
  bool stopping_seen = false;
  auto stopping = state.stop.cancelled();

  // Writes `out`; false if the connection is to close. A subscriber's
  // write also ends when it goes over its limit.
  auto flush = [&]() -> kyoto::task<bool> {
    if (out.empty()) co_return true;
    if (box.sub) {
      auto r = co_await kyoto::select(kyoto::io::write_all(stream, out), overflowed(*box.sub));
      if (r.index() == 1 || !std::get<0>(r)) co_return false;
      box.sub->queued.fetch_sub(out_messages, std::memory_order_relaxed);
      out_messages = 0;
    } else {
      auto written = co_await kyoto::io::write_all(stream, out);
      if (!written) co_return false;
    }
    out.clear();
    if (out.capacity() > 4 * flush_threshold) out.shrink_to_fit();
    co_return true;
  };

  // Commands run, added to the shared counter once per batch (one atomic
  // add per read instead of one per command on a line every worker writes).
  std::int64_t commands = 0;
  for (;;) {
    // Every complete command in the buffer, replies appended to `out`. The
    // clock is read once per batch (and after a flush), as Redis reads it
    // once per event loop iteration.
    std::int64_t now = now_ms();
    for (;;) {
      auto st = parser.parse(in.pending());
      if (st == parse_status::incomplete) break;
      if (st == parse_status::error) {
        reply::error(out, "ERR " + parser.error());
        closing = true;
        break;
      }
      const auto& args = parser.args();
      if (!args.empty()) {
        command_context cx{state, client, args, out, now, make_subscriber, &box};
        execute(cx);
        ++commands;
      }
      in.consume(parser.consumed());
      if (client.close_after_reply) {
        closing = true;
        break;
      }
      if (out.size() >= flush_threshold) {
        bool flushed = co_await flush();
        if (!flushed) co_return;
        now = now_ms();
      }
    }
    if (commands > 0) {
      state.total_commands.fetch_add(commands, std::memory_order_relaxed);
      commands = 0;
    }
    if (in.size() > state.opts.query_buffer_limit) co_return;  // as Redis: closed, no reply
    if (!box.sub) {
      // The common case in place, without flush()'s coroutine frame.
      if (!out.empty()) {
        auto written = co_await kyoto::io::write_all(stream, out);
        if (!written) co_return;
        out.clear();
        if (out.capacity() > 4 * flush_threshold) out.shrink_to_fit();
      }
    } else {
      bool flushed = co_await flush();
      if (!flushed) co_return;
    }
    if (closing || stopping_seen) break;

    // Wait for input, a pub/sub message or the stop.
    auto room = in.room(read_chunk, parser.bytes_needed());
    if (!box.rx) {
      auto got = co_await kyoto::select(kyoto::io::read(stream, room), stopping);
      if (got.index() == 1) {
        stopping_seen = true;
      } else {
        auto& n = std::get<0>(got);
        if (!n || *n == 0) break;
        in.commit(*n);
        continue;
      }
    } else {
      auto got = co_await kyoto::select(kyoto::io::read(stream, room), box.rx->recv(), stopping);
      if (got.index() == 0) {
        auto& n = std::get<0>(got);
        if (!n || *n == 0) break;
        in.commit(*n);
        continue;
      }
      if (got.index() == 1) {
        auto& msg = std::get<1>(got);
        if (!msg) break;
        for (;;) {
          out_messages += msg->size();
          out.append(*msg);
          if (out.size() >= flush_threshold) break;
          auto more = box.rx->try_recv();
          if (!more) break;
          *msg = std::move(*more);
        }
        if (box.sub->overflowed.load(std::memory_order_relaxed)) break;
        continue;
      }
      stopping_seen = true;
    }
    // Stopping: answer what the kernel already holds for us, then close.
    for (int i = 0; i < 64; ++i) {
      auto r = stream.try_read(in.room(read_chunk, 0));
      if (!r || *r == 0) break;
      in.commit(*r);
    }
  }
  // Close gracefully: our side first, then let the client's last bytes
  // arrive (bounded) so that the kernel does not reset the connection
  // under the replies still in flight.
  (void)stream.shutdown(kyoto::net::shutdown_how::write);
  if (closing) {
    std::array<std::byte, 4096> sink;
    for (int i = 0; i < 16; ++i) {
      auto r = co_await kyoto::timeout(std::chrono::seconds(1), kyoto::io::read(stream, sink));
      if (!r || !*r || **r == 0) break;
    }
  }
}

}  // namespace kyoto_redis
