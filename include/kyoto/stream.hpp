// Streams: the stream concept, next, async_generator, adapters, sinks.
#pragma once

#include "kyoto/stream/adapters.hpp"
#include "kyoto/stream/async_generator.hpp"
#include "kyoto/stream/sink.hpp"
#include "kyoto/stream/stream.hpp"
