// I/O: reader and writer concepts, read/write helpers, buffered reading
// with lines(), in-memory duplex streams.
#pragma once

#include "kyoto/io/async_fd.hpp"
#include "kyoto/io/buf_reader.hpp"
#include "kyoto/io/duplex.hpp"
#include "kyoto/io/error.hpp"
#include "kyoto/io/pipe.hpp"
#include "kyoto/io/read.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/result.hpp"
#include "kyoto/io/traits.hpp"
#include "kyoto/io/write.hpp"
