// The standard streams, with descriptor 0, 1 or 2 replaced by a pipe for
// the length of a test (each test runs in its own process under CTest, and
// the old descriptor is put back before anything is asserted).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <string>
#include <thread>
#include <vector>

#include "co_assert.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

// Puts one end of a new pipe on `target`; other() is the test's end.
class redirected_fd {
 public:
  redirected_fd(int target, bool target_reads) : target_(target) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) std::abort();
    saved_ = ::dup(target);
    int mine = target_reads ? p[0] : p[1];
    other_ = target_reads ? p[1] : p[0];
    ::dup2(mine, target);
    ::close(mine);
  }
  ~redirected_fd() {
    restore();
    close_other();
  }
  int other() const { return other_; }
  /// O_NONBLOCK on the pipe's end on `target` (its file description is the
  /// test's own: the saved descriptor is not touched).
  void set_nonblocking() const {
    int fl = ::fcntl(target_, F_GETFL);
    if (fl < 0 || ::fcntl(target_, F_SETFL, fl | O_NONBLOCK) != 0) std::abort();
  }
  void close_other() {
    if (other_ >= 0) ::close(std::exchange(other_, -1));
  }
  /// Puts the old descriptor back (closing the pipe's end on `target`).
  void restore() {
    if (saved_ >= 0) {
      ::dup2(saved_, target_);
      ::close(std::exchange(saved_, -1));
    }
  }

 private:
  int target_;
  int saved_ = -1;
  int other_ = -1;
};

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 31 + i / 7) % 26);
  return s;
}

void write_fully(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, std::min<std::size_t>(text.size() - done, 65536));
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

std::string read_fully(int fd) {
  std::string out;
  std::array<char, 65536> buf;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n <= 0) return out;
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
}

class IoStdio : public every_flavor {};
KYOTO_EVERY_FLAVOR(IoStdio);

TEST_P(IoStdio, StdinReadsEverythingThePipeCarries) {
  std::string text = pattern(3u << 20), got;
  {
    redirected_fd in(0, /*target_reads=*/true);
    std::thread feeder([&] {
      write_fully(in.other(), text);
      in.close_other();
    });
    auto rt = make();
    auto n = rt.block_on([](std::string& out) -> task<io::result<std::size_t>> {
      auto s = io::stdin();
      co_return co_await io::read_to_string(s, out);
    }(got));
    feeder.join();
    EXPECT_TRUE(n);
  }
  EXPECT_EQ(got.size(), text.size());
  EXPECT_TRUE(got == text);
}

TEST_P(IoStdio, LinesOfStdin) {
  std::vector<std::string> lines;
  {
    redirected_fd in(0, true);
    write_fully(in.other(), "one\ntwo\r\nthree");
    in.close_other();
    auto rt = make();
    lines = rt.block_on([]() -> task<std::vector<std::string>> {
      std::vector<std::string> out;
      auto ls = io::buf_reader(io::stdin()).lines();
      while (auto line = co_await next(ls)) {
        if (*line) out.push_back(**line);
      }
      co_return out;
    }());
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
}

// A read of stdin with no input yet waits on the blocking pool: the only
// worker of a current-thread runtime keeps running other tasks meanwhile.
TEST(IoStdioOnce, PendingStdinReadDoesNotBlockTheWorker) {
  int ticks = 0;
  bool finished_early = true;
  std::string got;
  {
    redirected_fd in(0, true);
    auto rt = runtime::builder::current_thread().enable_all().build();
    got = rt.block_on([](int in_fd, int& t, bool& early) -> task<std::string> {
      auto reader = spawn([]() -> task<std::string> {
        auto s = io::stdin();
        std::string out;
        EXPECT_TRUE(co_await io::read_to_string(s, out));
        co_return out;
      });
      for (int i = 0; i < 5; ++i) {
        co_await kyoto::sleep(10ms);
        ++t;
      }
      early = reader.is_finished();
      write_fully(in_fd, "late input");
      ::close(in_fd);
      auto r = co_await reader;
      co_return r ? *r : std::string();
    }(in.other(), ticks, finished_early));
  }
  EXPECT_EQ(ticks, 5);
  EXPECT_FALSE(finished_early);
  EXPECT_EQ(got, "late input");
}

// Dropping a pending read loses nothing: the read in flight belongs to the
// stdin_stream, and the next read returns its bytes.
TEST(IoStdioOnce, DroppedStdinReadLosesNoBytes) {
  std::string got;
  bool timed_out = false;
  {
    redirected_fd in(0, true);
    auto rt = runtime::builder::current_thread().enable_all().build();
    got = rt.block_on([](int in_fd, bool& lost_race) -> task<std::string> {
      auto s = io::stdin();
      std::array<std::byte, 16> buf{};
      auto first = co_await select(io::read(s, buf), kyoto::sleep(20ms));
      lost_race = first.index() == 1;
      write_fully(in_fd, "kept");
      ::close(in_fd);
      std::string out;
      EXPECT_TRUE(co_await io::read_to_string(s, out));
      co_return out;
    }(in.other(), timed_out));
  }
  EXPECT_TRUE(timed_out);
  EXPECT_EQ(got, "kept");
}

template <int Fd>
void writes_arrive_in_order(runtime rt, bool nonblocking = false) {
  std::string big = pattern(5u << 20);  // more than one operation's 2 MiB
  std::string want, got;
  for (int i = 0; i < 2000; ++i) want += "line " + std::to_string(i) + "\n";
  want += big;
  want += "end\n";
  io::result<void> flushed;
  {
    redirected_fd out(Fd, /*target_reads=*/false);
    if (nonblocking) out.set_nonblocking();
    std::thread drain([&] { got = read_fully(out.other()); });
    flushed = rt.block_on([](const std::string& b) -> task<io::result<void>> {
      auto w = [] {
        if constexpr (Fd == 1) {
          return io::stdout();
        } else {
          return io::stderr();
        }
      }();
      for (int i = 0; i < 2000; ++i) {
        auto r = co_await io::write_all(w, "line " + std::to_string(i) + "\n");
        if (!r) co_return r;
      }
      if (auto r = co_await io::write_all(w, b); !r) co_return r;
      if (auto r = co_await io::write_all(w, "end\n"); !r) co_return r;
      co_return co_await io::flush(w);
    }(big));
    out.restore();  // the pipe's last write end closes: the drain ends
    drain.join();
  }
  EXPECT_TRUE(flushed);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
}

TEST_P(IoStdio, StdoutWritesArriveInOrder) { writes_arrive_in_order<1>(make()); }
TEST_P(IoStdio, StderrWritesArriveInOrder) { writes_arrive_in_order<2>(make()); }
// Through the I/O driver: many EAGAINs on the pipe, every byte in order.
TEST_P(IoStdio, NonBlockingStdoutWritesArriveInOrder) { writes_arrive_in_order<1>(make(), true); }

// A stdin that is already non-blocking waits on the I/O driver: while its
// read waits, the only blocking-pool thread is free for other work (on the
// blocking path that thread would be waiting for the input).
TEST(IoStdioOnce, NonBlockingStdinHoldsNoPoolThreadWhileItWaits) {
  bool pool_free = false;
  std::string got;
  {
    redirected_fd in(0, true);
    in.set_nonblocking();
    auto rt = runtime::builder::current_thread().max_blocking_threads(1).enable_all().build();
    got = rt.block_on([](int in_fd, bool& free) -> task<std::string> {
      auto reader = spawn([]() -> task<std::string> {
        auto s = io::stdin();
        std::string out;
        EXPECT_TRUE(co_await io::read_to_string(s, out));
        co_return out;
      });
      co_await kyoto::sleep(20ms);  // the read is waiting now
      auto job = co_await timeout(5s, spawn_blocking([] { return 42; }));
      free = job && *job && **job == 42;
      write_fully(in_fd, "typed later");
      ::close(in_fd);
      auto r = co_await reader;
      co_return r ? *r : std::string();
    }(in.other(), pool_free));
  }
  EXPECT_TRUE(pool_free);
  EXPECT_EQ(got, "typed later");
}

// A write is accepted at once; its error (the reader is gone) comes back
// from the flush that waits for it.
TEST(IoStdioOnce, StdoutWriteErrorIsReturnedByFlush) {
  io::result<void> wrote, flushed;
  {
    redirected_fd out(1, false);
    out.close_other();
    auto rt = runtime::builder::current_thread().enable_all().build();  // ignores SIGPIPE
    rt.block_on([](io::result<void>& w, io::result<void>& f) -> task<void> {
      auto s = io::stdout();
      w = co_await io::write_all(s, "nobody reads this\n");
      f = co_await io::flush(s);
    }(wrote, flushed));
  }
  EXPECT_TRUE(wrote);
  ASSERT_FALSE(flushed);
  EXPECT_EQ(flushed.error(), std::errc::broken_pipe);
}

TEST(IoStdioOnce, OutsideARuntimeThrows) {
  auto s = io::stdout();
  EXPECT_THROW((void)block_on(io::write_all(s, "x")), std::runtime_error);
}

}  // namespace
