// Runtime: runtimes, spawn, join handles, join sets, the cooperative budget.
#pragma once

#include "kyoto/runtime/coop.hpp"
#include "kyoto/runtime/join_error.hpp"
#include "kyoto/runtime/join_handle.hpp"
#include "kyoto/runtime/join_set.hpp"
#include "kyoto/runtime/metrics.hpp"
#include "kyoto/runtime/run.hpp"
#include "kyoto/runtime/runtime.hpp"
#include "kyoto/runtime/scope.hpp"
#include "kyoto/runtime/spawn.hpp"
