// GoogleTest main with a watchdog: a test that runs longer than its limit
// (a lost wake-up, a deadlock) aborts the process with its name instead of
// hanging. Limit: KYOTO_TEST_TIMEOUT seconds (default 120).
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

namespace {

class watchdog : public testing::EmptyTestEventListener {
 public:
  explicit watchdog(std::chrono::seconds limit) : limit_(limit), thread_([this] { run(); }) {}
  ~watchdog() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void OnTestStart(const testing::TestInfo& info) override {
    std::lock_guard lock(mutex_);
    name_ = std::string(info.test_suite_name()) + "." + info.name();
    deadline_ = std::chrono::steady_clock::now() + limit_;
    armed_ = true;
    cv_.notify_all();
  }
  void OnTestEnd(const testing::TestInfo&) override {
    std::lock_guard lock(mutex_);
    armed_ = false;
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      if (!armed_) {
        cv_.wait(lock);
        continue;
      }
      if (cv_.wait_until(lock, deadline_) == std::cv_status::timeout && armed_ && !stop_ &&
          std::chrono::steady_clock::now() >= deadline_) {
        std::fprintf(stderr, "watchdog: test %s exceeded %lld s, aborting\n", name_.c_str(),
                     static_cast<long long>(limit_.count()));
        std::fflush(stderr);
        std::abort();
      }
    }
  }

  std::chrono::seconds limit_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string name_;
  std::chrono::steady_clock::time_point deadline_{};
  bool armed_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  long limit = 120;
  if (const char* env = std::getenv("KYOTO_TEST_TIMEOUT")) limit = std::strtol(env, nullptr, 10);
  auto* dog = new watchdog(std::chrono::seconds(limit));
  testing::UnitTest::GetInstance()->listeners().Append(dog);  // gtest owns it
  return RUN_ALL_TESTS();
}
