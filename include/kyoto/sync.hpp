// Sync: mutex, rw_lock, semaphore, notify, barrier, cancellation_token, and
// the channels oneshot, mpsc, broadcast, watch.
#pragma once

#include "kyoto/sync/barrier.hpp"
#include "kyoto/sync/broadcast.hpp"
#include "kyoto/sync/cancellation_token.hpp"
#include "kyoto/sync/mpsc.hpp"
#include "kyoto/sync/mutex.hpp"
#include "kyoto/sync/notify.hpp"
#include "kyoto/sync/oneshot.hpp"
#include "kyoto/sync/rw_lock.hpp"
#include "kyoto/sync/semaphore.hpp"
#include "kyoto/sync/watch.hpp"
