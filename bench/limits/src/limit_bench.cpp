// Physical-limit references for the kyoto benchmarks (runtime name `limit`).
// Not runtimes: the least work that the workload could cost on one thread.
//
//   yield_many        a bare single-threaded loop resuming C++20 coroutine
//                     handles from a ring buffer: T = 200 coroutines each
//                     suspend Y = 1,000 times (yields/s)
//   spawn_many_local  malloc + free of a task-sized (256-byte) block, N = 100,000
//   chained_spawn     times per iteration (tasks/s, spawns/s)
//
// Usage: limit-bench [--quick] [workload ...]   (same interface as the peers)
#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct config {
  bool quick = false;
  int warmups = 2;
  int iterations = 10;
  std::size_t size(std::size_t full) const {
    return quick ? std::max<std::size_t>(full / 100, 1) : full;
  }
};

[[noreturn]] void fail(const char* workload, const char* msg) {
  std::fprintf(stderr, "limit-bench: %s: verification failed: %s\n", workload, msg);
  std::exit(1);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void report(const config& cfg, const char* name, const char* unit,
            const std::function<double()>& iteration) {
  for (int i = 0; i < cfg.warmups; ++i) iteration();
  std::vector<double> figures;
  for (int i = 0; i < cfg.iterations; ++i) figures.push_back(iteration());
  std::printf("RESULT %s limit %.0f %s\n", name, median(figures), unit);
  std::fflush(stdout);
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// ------------------------------------------------------------ yield_many
// A fixed-size ring of ready coroutine handles (capacity a power of two that
// is at least the number of coroutines, so it never overflows).
class ring {
 public:
  explicit ring(std::size_t min_capacity) {
    std::size_t cap = 1;
    while (cap < min_capacity) cap <<= 1;
    slots_.resize(cap);
    mask_ = cap - 1;
  }
  void push(std::coroutine_handle<> h) { slots_[tail_++ & mask_] = h; }
  bool empty() const { return head_ == tail_; }
  std::coroutine_handle<> pop() { return slots_[head_++ & mask_]; }

 private:
  std::vector<std::coroutine_handle<>> slots_;
  std::size_t mask_ = 0, head_ = 0, tail_ = 0;
};

struct task {
  struct promise_type {
    task get_return_object() {
      return task{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
  std::coroutine_handle<promise_type> handle;
};

struct yield_to {
  ring* r;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const noexcept { r->push(h); }
  void await_resume() const noexcept {}
};

task yielder(ring* r, std::size_t yields, std::size_t* counter) {
  for (std::size_t i = 0; i < yields; ++i) {
    co_await yield_to{r};
    ++*counter;
  }
}

double yield_many(std::size_t tasks, std::size_t yields) {
  auto t0 = clock_type::now();
  ring r(tasks);
  std::size_t counter = 0;
  std::vector<task> all;
  all.reserve(tasks);
  for (std::size_t i = 0; i < tasks; ++i) {
    all.push_back(yielder(&r, yields, &counter));
    r.push(all.back().handle);
  }
  while (!r.empty()) r.pop().resume();
  for (auto& t : all) {
    if (!t.handle.done()) fail("yield_many", "a coroutine did not finish");
    t.handle.destroy();
  }
  double s = seconds_since(t0);
  if (counter != tasks * yields) fail("yield_many", "wrong number of yields");
  return double(counter) / s;
}

// ------------------------------------------------------------ malloc + free
constexpr std::size_t task_size = 256;

double alloc_free(const char* workload, std::size_t n) {
  std::size_t checksum = 0;
  auto t0 = clock_type::now();
  for (std::size_t i = 0; i < n; ++i) {
    auto* p = static_cast<unsigned char*>(std::malloc(task_size));
    if (!p) fail(workload, "malloc failed");
    p[0] = static_cast<unsigned char>(i);
    // Keep the compiler from eliding the malloc/free pair.
    asm volatile("" : : "r"(p) : "memory");
    checksum += p[0];
    std::free(p);
  }
  double s = seconds_since(t0);
  std::size_t expected = 0;
  for (std::size_t i = 0; i < n; ++i) expected += static_cast<unsigned char>(i);
  if (checksum != expected) fail(workload, "checksum mismatch");
  return double(n) / s;
}

}  // namespace

int main(int argc, char** argv) {
  config cfg;
  std::vector<std::string> selected;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0)
      cfg.quick = true;
    else
      selected.emplace_back(argv[i]);
  }
  if (cfg.quick) {
    cfg.warmups = 1;
    cfg.iterations = 3;
  }
  auto wanted = [&](const char* name) {
    return selected.empty() || std::find(selected.begin(), selected.end(), name) != selected.end();
  };
  if (wanted("spawn_many_local"))
    report(cfg, "spawn_many_local", "tasks/s",
           [&] { return alloc_free("spawn_many_local", cfg.size(100'000)); });
  if (wanted("yield_many"))
    report(cfg, "yield_many", "yields/s", [&] { return yield_many(200, cfg.size(1'000)); });
  if (wanted("chained_spawn"))
    report(cfg, "chained_spawn", "spawns/s",
           [&] { return alloc_free("chained_spawn", cfg.size(100'000)); });
  return 0;
}
