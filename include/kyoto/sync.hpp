// Sync: notify, oneshot (mutex, semaphore, mpsc, broadcast, watch to come).
#pragma once

#include "kyoto/sync/notify.hpp"
#include "kyoto/sync/oneshot.hpp"
