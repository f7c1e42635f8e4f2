// The one place where kyoto derives platform and build-mode macros.
#pragma once

// Symmetric transfer (await_suspend returning a coroutine handle) is only a
// real tail call when the optimiser runs. In unoptimised builds every
// coroutine-to-coroutine transfer goes back through the poll loop of the
// root task instead (a trampoline), so deep synchronous await chains cannot
// overflow the stack at -O0 either. Both modes share one data layout.
#if defined(__OPTIMIZE__)
#define KYOTO_DETAIL_TRAMPOLINE 0
#else
#define KYOTO_DETAIL_TRAMPOLINE 1
#endif

#if defined(__GNUC__)
#define KYOTO_LIKELY(x) __builtin_expect(!!(x), 1)
#define KYOTO_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define KYOTO_LIKELY(x) (x)
#define KYOTO_UNLIKELY(x) (x)
#endif
