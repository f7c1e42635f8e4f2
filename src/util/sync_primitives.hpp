// The rest of the synchronisation shim (kyoto/detail/sync_primitives.hpp,
// where the why and the rules are): condition variables and threads, which
// only the runtime's sources use. Include this one in src/; it brings the
// public part along.
#pragma once

#include <condition_variable>
#include <thread>

#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {

using std::condition_variable;
using std::thread;
namespace this_thread = std::this_thread;

}  // namespace kyoto::detail
