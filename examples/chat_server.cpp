// A line-based chat server: every line a client sends goes to every other
// client, through one broadcast channel. Works with nc:
//   chat_server [port] [address]        (default 8081 127.0.0.1)
//   nc 127.0.0.1 8081                   (type lines; /name NEW, /quit)
// Bad input gets an error line: an unknown command or a bad name keeps the
// connection; a line over 1,024 bytes closes it. A client too slow to keep
// up is told how many messages it missed. Ctrl-C / SIGTERM: every client
// is told, connections close, the server exits 0.
#include <cstdint>
#include <cstdio>
#include <kyoto/kyoto.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace {

constexpr std::size_t max_line = 1024;
constexpr std::size_t max_name = 32;

struct message {
  std::uint64_t from;
  std::string text;  // a whole line, with its "\n"
  message(std::uint64_t f, std::string t) : from(f), text(std::move(t)) {}
};

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > max_name) return false;
  for (unsigned char c : n) {
    if (c <= ' ' || c == 0x7f) return false;
  }
  return true;
}

// What a line from the client does; "" means nothing to send back.
struct client_state {
  std::uint64_t id;
  std::string name;
  bool quit = false;
};

std::string handle_line(client_state& me, const std::string& line,
                        kyoto::broadcast::sender<message>& room) {
  if (line.empty()) return "";
  if (line == "/quit") {
    me.quit = true;
    return "* bye\n";
  }
  if (line.rfind("/name ", 0) == 0) {
    std::string name = line.substr(6);
    if (!valid_name(name)) {
      return "* error: a name is 1 to 32 characters, no spaces or control characters\n";
    }
    (void)room.send(message(me.id, "* " + me.name + " is now " + name + "\n"));
    me.name = std::move(name);
    return "* you are " + me.name + "\n";
  }
  if (line[0] == '/') return "* error: unknown command " + line.substr(0, line.find(' ')) + "\n";
  (void)room.send(message(me.id, me.name + ": " + line + "\n"));
  return "";
}

kyoto::task<void> serve(kyoto::net::tcp_stream stream, std::uint64_t id,
                        kyoto::broadcast::sender<message> room, kyoto::cancellation_token stop) {
  auto inbox = room.subscribe();  // before announcing: we see what follows
  auto [rd, wr] = std::move(stream).into_split();
  kyoto::io::buf_reader reader(std::move(rd));
  auto lines = reader.lines(max_line);
  client_state me{id, "guest" + std::to_string(id)};
  (void)room.send(message(id, "* " + me.name + " joined\n"));
  std::string reply = "* welcome, you are " + me.name + " (/name NEW to change it, /quit)\n";
  auto stopping = stop.cancelled();  // polled in place by every select below
  while (co_await kyoto::io::write_all(wr, reply)) {
    reply.clear();
    auto ev = co_await kyoto::select(kyoto::next(lines), inbox.recv(), stopping);
    if (ev.index() == 0) {  // a line from the client
      auto& line = std::get<0>(ev);
      if (!line) break;  // the client closed
      if (!*line) {
        if (line->error() == kyoto::io::errc::line_too_long) {
          (void)co_await kyoto::io::write_all(wr, "* error: line longer than 1024 bytes, bye\n");
        }
        break;
      }
      reply = handle_line(me, **line, room);
      if (me.quit) {
        (void)co_await kyoto::io::write_all(wr, reply);
        break;
      }
    } else if (ev.index() == 1) {  // a message from the room
      auto& got = std::get<1>(ev);
      if (got) {
        if (got->from != id) reply = std::move(got->text);
      } else if (got.error().is_lagged()) {
        reply = "* (you missed " + std::to_string(got.error().missed) + " messages)\n";
      } else {
        break;  // closed
      }
    } else {
      (void)co_await kyoto::io::write_all(wr, "* server shutting down\n");
      break;
    }
  }
  (void)room.send(message(id, "* " + me.name + " left\n"));
}

// A future that is always ready: select(f, ready_now()) polls f once.
struct ready_now {
  using output_type = std::monostate;
  kyoto::poll_result<std::monostate> poll(kyoto::context&) {
    return kyoto::poll_result<std::monostate>::ready(std::monostate());
  }
};

// Joins the clients that have already left, so the set holds only those
// still connected.
kyoto::task<> reap_finished(kyoto::join_set<void>& clients) {
  for (;;) {
    auto r = co_await kyoto::select(clients.join_next(), ready_now());
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
    std::fprintf(stderr, "chat_server: cannot listen on %s: %s\n", addr.c_str(),
                 listener.error().message().c_str());
    co_return 1;
  }
  std::printf("chat_server: listening on %s\n", listener->local_addr()->to_string().c_str());
  std::fflush(nullptr);
  kyoto::cancellation_token stop;
  kyoto::spawn(on_shutdown_signal(stop));
  auto [room, unused] = kyoto::broadcast::channel<message>(256);
  (void)unused;
  kyoto::join_set<void> clients;
  std::uint64_t next_id = 1;
  for (;;) {
    auto next = co_await kyoto::select(listener->accept(), stop.cancelled());
    if (next.index() == 1) break;
    auto& conn = std::get<0>(next);
    if (!conn) {
      std::fprintf(stderr, "chat_server: accept: %s\n", conn.error().message().c_str());
      continue;
    }
    clients.spawn(serve(std::move(conn->first), next_id++, room, stop.child_token()));
    // Reap the finished ones: the set holds only open connections.
    while (clients.try_join_next()) {
    }
    co_await reap_finished(clients);
  }
  std::size_t open = clients.size();
  while (co_await clients.join_next()) {
  }
  std::printf("chat_server: shut down (%zu clients drained)\n", open);
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string port = argc > 1 ? argv[1] : "8081";
  std::string host = argc > 2 ? argv[2] : "127.0.0.1";
  std::string addr =
      host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
  return kyoto::run(async_main(addr));
}
