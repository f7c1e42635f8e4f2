// I/O: reader and writer concepts, read/write helpers (vectored too),
// buffered reading with lines() and buffered writing, copy and
// copy_bidirectional, split, in-memory duplex streams, pipes, the standard
// streams, seeking.
#pragma once

#include "kyoto/io/async_fd.hpp"
#include "kyoto/io/buf_reader.hpp"
#include "kyoto/io/buf_writer.hpp"
#include "kyoto/io/copy.hpp"
#include "kyoto/io/copy_bidirectional.hpp"
#include "kyoto/io/copy_buf.hpp"
#include "kyoto/io/duplex.hpp"
#include "kyoto/io/error.hpp"
#include "kyoto/io/fill_buf.hpp"
#include "kyoto/io/pipe.hpp"
#include "kyoto/io/read.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/result.hpp"
#include "kyoto/io/seek.hpp"
#include "kyoto/io/split.hpp"
#include "kyoto/io/stdio.hpp"
#include "kyoto/io/traits.hpp"
#include "kyoto/io/write.hpp"
#include "kyoto/io/write_vectored.hpp"
