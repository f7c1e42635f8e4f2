// Physical-limit references for the kyoto benchmarks (runtime name `limit`).
// Not runtimes: the least work that the workload could cost on one thread.
//
//   yield_many        a bare single-threaded loop resuming C++20 coroutine
//                     handles from a ring buffer: T = 200 coroutines each
//                     suspend Y = 1,000 times (yields/s)
//   spawn_many_local  malloc + free of a task-sized (256-byte) block, N = 100,000
//   chained_spawn     times per iteration (tasks/s, spawns/s)
//   fs_read           open + fstat, malloc a buffer of the file's size (fresh
//                     each iteration, as read_to_end's vector: its page faults
//                     are paid), blocking read(2)s straight into it until a
//                     read returns 0, close (MiB/s)
//   fs_copy           open both, copy_file_range(2) until it returns 0 (what
//                     Rust's std::fs::copy does on Linux), close (MiB/s)
//   process_spawn     posix_spawnp("true") with 16 children in flight, each
//                     reaped by a blocking waitpid(-1) that makes room for the
//                     next (processes/s)
//
// fs_read and fs_copy take the data file from the environment as the other
// programs do (BENCH_FS_FILE, BENCH_FS_BYTES, BENCH_FS_SUM: bench/run and
// tools/fs_data.c); without BENCH_FS_FILE they are skipped with a note.
//
// Usage: limit-bench [--quick] [workload ...]   (same interface as the peers)
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
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

[[noreturn]] void fail(const char* workload, const std::string& msg) {
  fail(workload, msg.c_str());
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

// ------------------------------------------------------------ fs_read, fs_copy
struct fs_input {
  std::string path;
  std::uint64_t bytes = 0;
  std::uint64_t sum = 0;
};

std::optional<fs_input> fs_input_from_env() {
  const char* path = std::getenv("BENCH_FS_FILE");
  const char* bytes = std::getenv("BENCH_FS_BYTES");
  const char* sum = std::getenv("BENCH_FS_SUM");
  if (!path || !bytes || !sum) return std::nullopt;
  return fs_input{path, std::strtoull(bytes, nullptr, 10), std::strtoull(sum, nullptr, 16)};
}

// tools/fs_data.c's checksum: FNV-style over little-endian u64 words.
std::uint64_t checksum(const unsigned char* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001b3ULL;
  }
  return h;
}

// The whole file in one malloc'd buffer (the caller frees it); its size.
std::size_t read_whole(const char* workload, const std::string& path, unsigned char** out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(workload, "cannot open " + path);
  struct stat st {};
  if (::fstat(fd, &st) < 0) fail(workload, "cannot stat " + path);
  std::size_t cap = static_cast<std::size_t>(st.st_size);
  auto* buf = static_cast<unsigned char*>(std::malloc(cap ? cap : 1));
  if (!buf) fail(workload, "malloc failed");
  std::size_t done = 0;
  for (;;) {
    unsigned char probe[32];
    bool full = done == cap;  // at the fstat size: a small read to see the end
    ssize_t r = full ? ::read(fd, probe, sizeof probe) : ::read(fd, buf + done, cap - done);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail(workload, "cannot read " + path);
    if (r == 0) break;
    if (full) fail(workload, path + " grew while read");
    done += static_cast<std::size_t>(r);
  }
  ::close(fd);
  *out = buf;
  return done;
}

void verify(const char* workload, const std::string& path, const fs_input& in) {
  unsigned char* buf = nullptr;
  std::size_t n = read_whole(workload, path, &buf);
  bool ok = n == in.bytes && checksum(buf, n) == in.sum;
  std::free(buf);
  if (!ok) fail(workload, path + ": wrong size or checksum");
}

double fs_read(const fs_input& in) {
  unsigned char* buf = nullptr;
  auto t0 = clock_type::now();
  std::size_t n = read_whole("fs_read", in.path, &buf);
  double s = seconds_since(t0);  // the buffer is freed untimed
  bool ok = n == in.bytes && checksum(buf, n) == in.sum;
  std::free(buf);
  if (!ok) fail("fs_read", "wrong size or checksum");
  return double(n) / s / (1024.0 * 1024.0);
}

double fs_copy(const fs_input& in) {
  std::string to = in.path + ".copy-limit";
  std::filesystem::remove(to);  // the copy creates it (untimed)
  auto t0 = clock_type::now();
  int src = ::open(in.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src < 0) fail("fs_copy", "cannot open " + in.path);
  int dst = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (dst < 0) fail("fs_copy", "cannot create " + to);
  std::uint64_t total = 0;
  for (;;) {
    ssize_t n = ::copy_file_range(src, nullptr, dst, nullptr, std::size_t{1} << 30, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("fs_copy", std::string("copy_file_range: ") + std::strerror(errno));
    if (n == 0) break;
    total += static_cast<std::uint64_t>(n);
  }
  ::close(src);
  if (::close(dst) < 0) fail("fs_copy", "close failed");
  double s = seconds_since(t0);
  if (total != in.bytes) fail("fs_copy", "copied " + std::to_string(total) + " bytes");
  verify("fs_copy", to, in);
  return double(total) / s / (1024.0 * 1024.0);
}

// ------------------------------------------------------------ process_spawn
constexpr std::size_t process_concurrency = 16;

double process_spawn(std::size_t n) {
  char prog[] = "true";
  char* argv[] = {prog, nullptr};
  std::size_t started = 0, running = 0, ok = 0;
  auto t0 = clock_type::now();
  while (started < n || running > 0) {
    while (started < n && running < process_concurrency) {
      pid_t pid;
      int rc = ::posix_spawnp(&pid, prog, nullptr, nullptr, argv, environ);
      if (rc != 0) fail("process_spawn", std::string("posix_spawnp: ") + std::strerror(rc));
      ++started;
      ++running;
    }
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) fail("process_spawn", std::string("waitpid: ") + std::strerror(errno));
    --running;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ++ok;
  }
  double s = seconds_since(t0);
  if (ok != n) fail("process_spawn", std::to_string(ok) + " of " + std::to_string(n) + " exited 0");
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
  auto fs_in = fs_input_from_env();
  for (const char* name : {"fs_read", "fs_copy"}) {
    if (!wanted(name)) continue;
    if (!fs_in) {
      std::fprintf(stderr, "limit-bench: %s skipped: no BENCH_FS_FILE (bench/run sets it)\n", name);
      continue;
    }
    verify(name, fs_in->path, *fs_in);  // and into the page cache
    if (std::strcmp(name, "fs_read") == 0)
      report(cfg, name, "MiB/s", [&] { return fs_read(*fs_in); });
    else
      report(cfg, name, "MiB/s", [&] { return fs_copy(*fs_in); });
  }
  if (fs_in && wanted("fs_copy")) std::filesystem::remove(fs_in->path + ".copy-limit");
  if (wanted("process_spawn"))
    report(cfg, "process_spawn", "processes/s",
           [&] { return process_spawn(cfg.quick ? 50 : 1000); });
  return 0;
}
