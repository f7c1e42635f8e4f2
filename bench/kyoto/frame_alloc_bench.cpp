// Micro-benchmarks of the costs under every task: a coroutine frame from
// the recycling allocator vs malloc, and a task created and awaited.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <kyoto/kyoto.hpp>

namespace {

void frame_allocator_256(benchmark::State& state) {
  for (auto _ : state) {
    void* p = kyoto::detail::frame_block_allocate(256);
    benchmark::DoNotOptimize(p);
    kyoto::detail::frame_block_deallocate(p, 256);
  }
}
BENCHMARK(frame_allocator_256);

void malloc_free_256(benchmark::State& state) {
  for (auto _ : state) {
    void* p = std::malloc(256);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
}
BENCHMARK(malloc_free_256);

kyoto::task<int> leaf(int v) { co_return v + 1; }

kyoto::task<long> await_many(long n) {
  long sum = 0;
  for (long i = 0; i < n; ++i) sum += co_await leaf(static_cast<int>(i & 7));
  co_return sum;
}

// Creating, awaiting and destroying one child task (frame from the cache).
void task_create_await(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(kyoto::block_on(await_many(1000)));
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(task_create_await);

}  // namespace

BENCHMARK_MAIN();
