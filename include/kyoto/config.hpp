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

// Thread-locals that code inlined into coroutines reads (the chain's root,
// the coop budget). A coroutine may resume on another thread, and clang
// (16, at least under ThreadSanitizer) keeps an inlined thread-local's
// address across a suspension point, reading the old thread's slot after
// the resume: with clang they are reached through functions defined in
// another translation unit. g++ splits coroutines in its front end, so an
// address computed before a suspension is never reused after it: there the
// accesses are inline (an out-of-line call per await cost ~10% on W3/W4/W6).
// The library and the program must be built by the same compiler.
#if defined(__clang__)
#define KYOTO_DETAIL_OUT_OF_LINE_TLS 1
#else
#define KYOTO_DETAIL_OUT_OF_LINE_TLS 0
#endif

#if defined(__GNUC__)
#define KYOTO_LIKELY(x) __builtin_expect(!!(x), 1)
#define KYOTO_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define KYOTO_LIKELY(x) (x)
#define KYOTO_UNLIKELY(x) (x)
#endif
