// kyoto: everything. Each module also has its own header.
#pragma once

#include "kyoto/combinators.hpp"
#include "kyoto/core.hpp"
#include "kyoto/fs.hpp"
#include "kyoto/io.hpp"
#include "kyoto/net.hpp"
#include "kyoto/process.hpp"
#include "kyoto/runtime.hpp"
#include "kyoto/signal.hpp"
#include "kyoto/stream.hpp"
#include "kyoto/sync.hpp"
#include "kyoto/time.hpp"
