// ASSERT_* for coroutine test bodies (gtest's ASSERT_* use `return`, which
// a coroutine cannot): record a failure and end the task<void>.
#pragma once

#include <gtest/gtest.h>

#define KYOTO_CO_ASSERT(cond)                         \
  do {                                                \
    if (!(cond)) {                                    \
      ADD_FAILURE() << "assertion failed: " << #cond; \
      co_return;                                      \
    }                                                 \
  } while (0)
