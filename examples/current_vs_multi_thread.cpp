// The two runtime flavours on the same work: 4 tasks that each compute
// for about 200 ms without awaiting.
//   - current_thread: every task runs on the thread that called block_on,
//     one after the other (about 4 x 200 ms);
//   - multi_thread: worker threads (here 2) take tasks from a shared queue
//     and steal from each other, so tasks run in parallel on other threads.
// Printed: which threads ran the tasks, and the wall time. (On a loaded
// machine the times vary; the threads do not.)
#include <chrono>
#include <cstdio>
#include <kyoto/kyoto.hpp>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using clock_type = std::chrono::steady_clock;

namespace {

struct threads_seen {
  std::mutex lock;
  std::set<std::thread::id> ids;  // guarded by lock
  void add(std::thread::id id) {
    std::lock_guard g(lock);
    ids.insert(id);
  }
};

// CPU work for `ms` of wall time; never yields, as a long computation.
kyoto::task<> compute(int ms, threads_seen& seen) {
  seen.add(std::this_thread::get_id());
  auto end = clock_type::now() + std::chrono::milliseconds(ms);
  volatile unsigned x = 0;
  while (clock_type::now() < end) {
    for (int i = 0; i < 1000; ++i) x = x * 31 + 7;
  }
  co_return;
}

kyoto::task<> four_tasks(threads_seen& seen) {
  std::vector<kyoto::join_handle<void>> hs;
  for (int i = 0; i < 4; ++i) hs.push_back(kyoto::spawn(compute(200, seen)));
  for (auto& h : hs) (co_await h).value();
}

void run_on(const char* name, kyoto::runtime rt) {
  threads_seen seen;
  auto t0 = clock_type::now();
  rt.block_on(four_tasks(seen));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0).count();
  bool on_caller = seen.ids.size() == 1 && *seen.ids.begin() == std::this_thread::get_id();
  std::printf("%s: 4 tasks ran on %zu thread(s)%s, in %lld ms\n", name, seen.ids.size(),
              on_caller ? " (the calling thread)" : "", static_cast<long long>(ms));
}

}  // namespace

int main() {
  run_on("current_thread", kyoto::runtime::builder::current_thread().enable_all().build());
  run_on("multi_thread(2)",
         kyoto::runtime::builder::multi_thread().worker_threads(2).enable_all().build());
  return 0;
}
