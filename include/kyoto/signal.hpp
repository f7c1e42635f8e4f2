// Signals: ctrl_c() and unix_signal(kind) streams.
#pragma once

#include "kyoto/signal/signal.hpp"
