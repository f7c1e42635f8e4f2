// Networking: socket addresses, name resolution, TCP (listener, stream,
// socket builder, owned halves), UDP and Unix-domain sockets.
#pragma once

#include "kyoto/net/lookup_host.hpp"
#include "kyoto/net/socket_addr.hpp"
#include "kyoto/net/tcp_listener.hpp"
#include "kyoto/net/tcp_socket.hpp"
#include "kyoto/net/tcp_stream.hpp"
#include "kyoto/net/udp_socket.hpp"
#include "kyoto/net/unix.hpp"
