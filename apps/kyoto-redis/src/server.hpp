// The server: a listener, one task per connection, the background expiry
// task, and graceful shutdown.
//
// Shutdown order: a SIGINT/SIGTERM or SHUTDOWN cancels server_state::stop.
// The accept loop stops at once (the listener is closed when it returns);
// each connection answers the commands it has already received (what is in
// its buffer and what the kernel already holds for it), writes its replies
// and closes; connections still busy after 5 seconds (a client that does
// not read its replies) are aborted; then the expiry task is stopped and
// run_server returns 0.
#pragma once

#include <functional>

#include "kyoto/kyoto.hpp"
#include "options.hpp"
#include "server_state.hpp"

namespace kyoto_redis {

// Serves until stopped, inside a runtime with I/O and time. `on_ready` is
// called once the listener is bound (with the state, whose bound_port is
// set). Returns the process exit code (1 if the address cannot be bound).
kyoto::task<int> serve(server_state& state, std::function<void(server_state&)> on_ready = {});

// Builds the runtime (opts.threads workers), serves, returns the exit code.
int run_server(const options& opts);

// One client connection until it closes (connection.cpp).
kyoto::task<void> serve_connection(server_state& state, kyoto::net::tcp_stream stream,
                                   std::string peer);

}  // namespace kyoto_redis
