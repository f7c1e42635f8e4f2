// Core: futures, wakers, tasks, block_on.
#pragma once

#include "kyoto/core/block_on.hpp"
#include "kyoto/core/context.hpp"
#include "kyoto/core/future.hpp"
#include "kyoto/core/poll.hpp"
#include "kyoto/core/result.hpp"
#include "kyoto/core/task.hpp"
#include "kyoto/core/try.hpp"
#include "kyoto/core/waker.hpp"
#include "kyoto/core/yield_now.hpp"
#include "kyoto/io/result.hpp"
