// net::lookup_host: resolve "host:port" to addresses, on the blocking pool
// (getaddrinfo blocks), never on a worker.
//   auto addrs = co_await kyoto::net::lookup_host("localhost:6379");
//   if (addrs) for (auto& a : *addrs) ...
// Numeric addresses ("127.0.0.1:80", "[::1]:80") resolve without a thread.
// Errors: std::errc::invalid_argument for a malformed "host:port"; a
// resolver failure as an error of the category kyoto::net::resolver_category
// (its message is gai_strerror's).
#pragma once

#include <string>
#include <system_error>
#include <vector>

#include "kyoto/core/task.hpp"
#include "kyoto/io/result.hpp"
#include "kyoto/net/socket_addr.hpp"

namespace kyoto::net {

task<io::result<std::vector<socket_addr>>> lookup_host(std::string host_port);

const std::error_category& resolver_category() noexcept;

}  // namespace kyoto::net
