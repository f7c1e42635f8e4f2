#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>

#include "co_assert.hpp"
#include "fd_count.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

class IoAsyncFd : public every_flavor {
 protected:
  void SetUp() override { baseline_ = open_fd_count(); }
  void TearDown() override { EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors"; }
  std::size_t baseline_ = 0;
};
KYOTO_EVERY_FLAVOR(IoAsyncFd);

// An owned pipe end: closed with the async_fd that holds it.
struct pipe_end {
  int fd_ = -1;
  explicit pipe_end(int fd) : fd_(fd) {}
  pipe_end(pipe_end&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  ~pipe_end() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }
};

std::pair<pipe_end, pipe_end> make_pipe() {
  int p[2];
  EXPECT_EQ(::pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  return {pipe_end(p[0]), pipe_end(p[1])};
}

io::result<std::size_t> read_some(const pipe_end& p, char* buf, std::size_t n) {
  ssize_t r = ::read(p.fd(), buf, n);
  if (r < 0) return kyoto::err(std::error_code(errno, std::system_category()));
  return static_cast<std::size_t>(r);
}

task<std::string> read_all(io::async_fd<pipe_end>& afd) {
  std::string out;
  for (;;) {
    auto g = co_await afd.readable();
    if (!g) co_return out;
    char buf[4096];
    auto n = g->try_io([&](pipe_end& p) { return read_some(p, buf, sizeof buf); });
    if (!n) {
      if (n.error() == std::errc::operation_would_block) continue;
      co_return out;
    }
    if (*n == 0) co_return out;
    out.append(buf, *n);
  }
}

TEST_P(IoAsyncFd, PipeReadableAfterAnotherTaskWrites) {
  auto rt = make();
  std::string got = rt.block_on([]() -> task<std::string> {
    auto [r, w] = make_pipe();
    auto afd = io::async_fd<pipe_end>::create(std::move(r), io::interest::readable);
    EXPECT_TRUE(afd);
    auto writer = spawn([](pipe_end out) -> task<void> {
      for (int i = 0; i < 50; ++i) {
        std::string chunk = "chunk" + std::to_string(i) + ";";
        EXPECT_EQ(::write(out.fd(), chunk.data(), chunk.size()),
                  static_cast<ssize_t>(chunk.size()));
        co_await kyoto::sleep(1ms);
      }
    }(std::move(w)));
    std::string s = co_await read_all(*afd);
    co_await writer;
    co_return s;
  }());
  std::string want;
  for (int i = 0; i < 50; ++i) want += "chunk" + std::to_string(i) + ";";
  EXPECT_EQ(got, want);
}

TEST_P(IoAsyncFd, WritableWaitsForRoomInAFullPipe) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto [r, w] = make_pipe();
    auto afd = io::async_fd<pipe_end>::create(std::move(w), io::interest::writable);
    KYOTO_CO_ASSERT(afd);
    // Fill the pipe through the guard, so that the EAGAIN clears readiness.
    std::string block(65536, 'z');
    for (bool full = false; !full;) {
      auto g = co_await afd->writable();
      KYOTO_CO_ASSERT(g);
      auto n = g->try_io([&](pipe_end& p) -> io::result<std::size_t> {
        ssize_t put = ::write(p.fd(), block.data(), block.size());
        if (put < 0) return kyoto::err(std::error_code(errno, std::system_category()));
        return static_cast<std::size_t>(put);
      });
      full = !n && n.error() == std::errc::operation_would_block;
    }
    std::atomic<bool> draining{false};
    auto drainer = spawn([](int rfd, std::atomic<bool>& flag) -> task<void> {
      co_await kyoto::sleep(20ms);
      flag = true;  // before the first read: the pipe has room only after it
      char buf[65536];
      while (::read(rfd, buf, sizeof buf) > 0) {
      }
    }(r.fd(), draining));
    auto g = co_await afd->writable();
    KYOTO_CO_ASSERT(g);
    EXPECT_TRUE(draining.load()) << "writable before the pipe had room";
    EXPECT_TRUE(g->is_writable());
    co_await drainer;
  }());
}

TEST_P(IoAsyncFd, ManyWaitersOnOneEventfdAreAllWoken) {
  auto rt = make();
  int woken = rt.block_on([]() -> task<int> {
    int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pipe_end owner(efd);
    auto afd = io::async_fd<int>::create(efd, io::interest::readable);
    EXPECT_TRUE(afd);
    std::atomic<int> count{0};
    join_set<void> set;
    for (int i = 0; i < 20; ++i) {
      set.spawn([](io::async_fd<int>& a, std::atomic<int>& c) -> task<void> {
        auto g = co_await a.readable();
        if (g) ++c;
      }(*afd, count));
    }
    co_await kyoto::sleep(10ms);
    EXPECT_EQ(count.load(), 0);
    std::uint64_t one = 1;
    EXPECT_EQ(::write(efd, &one, sizeof one), 8);
    while (co_await set.join_next()) {
    }
    int n = count.load();
    { auto gone = std::move(*afd); }  // deregister before `owner` closes the descriptor
    co_return n;
  }());
  EXPECT_EQ(woken, 20);
}

TEST_P(IoAsyncFd, ClearReadyMakesTheNextWaitBlockUntilNewData) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto [r, w] = make_pipe();
    auto afd = io::async_fd<pipe_end>::create(std::move(r), io::interest::readable);
    KYOTO_CO_ASSERT(afd);
    KYOTO_CO_ASSERT(::write(w.fd(), "x", 1) == 1);
    {
      auto g = co_await afd->readable();
      KYOTO_CO_ASSERT(g);
      char c;
      KYOTO_CO_ASSERT(::read(afd->fd(), &c, 1) == 1);
      g->clear_ready();
    }
    auto again = co_await select(afd->readable(), kyoto::sleep(20ms));
    EXPECT_EQ(again.index(), 1u) << "readiness survived clear_ready";
    KYOTO_CO_ASSERT(::write(w.fd(), "y", 1) == 1);
    auto g2 = co_await afd->readable();
    EXPECT_TRUE(g2);
  }());
}

// A waker that counts its wakes in an atomic<int>.
struct counting {
  static raw_waker clone(const void* p) { return raw_waker{p, &vtable}; }
  static void wake(const void* p) {
    static_cast<std::atomic<int>*>(const_cast<void*>(p))->fetch_add(1);
  }
  static void drop(const void*) {}
  static const waker_vtable vtable;
};
const waker_vtable counting::vtable{&counting::clone, &counting::wake, &counting::wake,
                                    &counting::drop};

// A record that was deregistered never sees the events of a new descriptor
// that got the same number: the old waiter is woken with an error when its
// registration goes, and the new registration alone sees the new events.
TEST_P(IoAsyncFd, ReusedDescriptorNumberNeverWakesTheOldWaiter) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    int p1[2];
    KYOTO_CO_ASSERT(::pipe2(p1, O_NONBLOCK | O_CLOEXEC) == 0);
    auto reg1 = io::detail::registration::create(p1[0], io::interest::readable);
    KYOTO_CO_ASSERT(reg1);
    io::detail::io_waiter old_node;
    old_node.interest = io::detail::read_mask;
    bool old_queued = false;
    std::atomic<int> old_woken{0};
    waker w = waker::from_raw(raw_waker{&old_woken, &counting::vtable});
    context cx(w);
    KYOTO_CO_ASSERT(reg1->poll_wait(old_node, old_queued, cx).is_pending());
    reg1->reset();  // deregistered (EPOLL_CTL_DEL), then closed
    ::close(p1[0]);
    ::close(p1[1]);
    EXPECT_EQ(old_woken.load(), 1);  // woken with an error, once
    auto after = reg1->poll_wait(old_node, old_queued, cx);
    KYOTO_CO_ASSERT(after.is_ready() && !after.value());
    int p2[2];
    KYOTO_CO_ASSERT(::pipe2(p2, O_NONBLOCK | O_CLOEXEC) == 0);
    EXPECT_EQ(p2[0], p1[0]) << "the kernel did not reuse the number (test is weaker)";
    pipe_end r2(p2[0]), w2(p2[1]);
    auto afd2 = io::async_fd<int>::create(p2[0], io::interest::readable);
    KYOTO_CO_ASSERT(afd2);
    KYOTO_CO_ASSERT(::write(p2[1], "n", 1) == 1);
    auto g = co_await afd2->readable();
    EXPECT_TRUE(g);
    co_await kyoto::sleep(5ms);
    EXPECT_EQ(old_woken.load(), 1);
    { auto gone = std::move(*afd2); }
  }());
}

TEST(IoAsyncFdErrors, NeedsARuntimeWithIo) {
  int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  EXPECT_THROW((void)io::async_fd<int>::create(efd), std::runtime_error);
  auto rt = runtime::builder::multi_thread().worker_threads(1).enable_time().build();
  rt.block_on([efd]() -> task<void> {
    EXPECT_THROW((void)io::async_fd<int>::create(efd), std::runtime_error);
    co_return;
  }());
  ::close(efd);
}

TEST(IoAsyncFdErrors, RegisteringABadDescriptorIsAnError) {
  auto rt = runtime::builder::current_thread().enable_io().build();
  rt.block_on([]() -> task<void> {
    auto r = io::async_fd<int>::create(-1);
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_EQ(r.error(), std::errc::bad_file_descriptor);
    }
    co_return;
  }());
}

}  // namespace
