// The one place where kyoto derives platform and build-mode macros.
#pragma once

// Symmetric transfer (await_suspend returning a coroutine handle) keeps the
// stack flat only if the compiler turns the resume of the next coroutine
// into a real tail call. Where it may not, every coroutine-to-coroutine
// transfer goes back through the poll loop of the root task instead (a
// trampoline), so deep synchronous await chains cannot overflow the stack.
// Both modes share one data layout and either one is correct anywhere; the
// choice is made for each translation unit from what its compiler does:
//   - clang lowers symmetric transfer to a musttail call on x86-64 and
//     AArch64 at every optimisation level, sanitizers included: no
//     trampoline there (elsewhere: only when optimising).
//   - g++ (12) emits an ordinary call that becomes a tail call only with
//     -foptimize-sibling-calls (on from -O2, and -Os) and never under
//     AddressSanitizer or ThreadSanitizer (their instrumentation runs
//     after the call). -O0 and the sanitizers are visible here; -O1 and
//     -Og are not (g++ predefines the same macros as at -O2), so kyoto's
//     CMake package asks the compiler (cmake/kyoto_sibling_calls.cmake:
//     `g++ <flags> -Q --help=optimizers`) and passes the answer to every
//     target that links kyoto::kyoto as KYOTO_DETAIL_SIBLING_CALLS. A
//     build that does not use the package, or adds -O1 to a single
//     target, gets symmetric transfer at -O1 unless it says otherwise:
//   - KYOTO_TRAMPOLINE=1 (or 0) on the command line overrides all of this.
// Translation units of one program may differ: an inline function compiled
// both ways keeps one of its copies, which is correct, only possibly slower
// (the trampoline) or deeper on the stack (the tail call that is not).
#if defined(KYOTO_TRAMPOLINE)
#define KYOTO_DETAIL_TRAMPOLINE KYOTO_TRAMPOLINE
#elif defined(__clang__)
#if defined(__x86_64__) || defined(__aarch64__) || defined(__OPTIMIZE__)
#define KYOTO_DETAIL_TRAMPOLINE 0
#else
#define KYOTO_DETAIL_TRAMPOLINE 1
#endif
#elif !defined(__OPTIMIZE__) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || \
    defined(__SANITIZE_HWADDRESS__)
#define KYOTO_DETAIL_TRAMPOLINE 1
#elif defined(KYOTO_DETAIL_SIBLING_CALLS) && !KYOTO_DETAIL_SIBLING_CALLS
#define KYOTO_DETAIL_TRAMPOLINE 1
#else
#define KYOTO_DETAIL_TRAMPOLINE 0
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
