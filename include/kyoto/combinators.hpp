// Combinators: join, try_join, select, race.
#pragma once

#include "kyoto/combinators/join.hpp"
#include "kyoto/combinators/select.hpp"
#include "kyoto/combinators/try_join.hpp"
#include "kyoto/time/timeout.hpp"
