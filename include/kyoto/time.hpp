// Time: instant, sleep, sleep_until, timeout, interval, the test clock.
#pragma once

#include "kyoto/time/instant.hpp"
#include "kyoto/time/interval.hpp"
#include "kyoto/time/sleep.hpp"
#include "kyoto/time/test_clock.hpp"
#include "kyoto/time/timeout.hpp"
