#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "co_assert.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

extern char** environ;

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

class Signal : public every_flavor {};
KYOTO_EVERY_FLAVOR(Signal);

// Waits until `s` has a delivery, at most `limit`.
task<std::optional<int>> recv_within(signal::signal_stream& s, std::chrono::milliseconds limit) {
  auto r = co_await kyoto::timeout(limit, s.recv());
  if (!r) co_return std::nullopt;
  co_return *r;
}

TEST_P(Signal, EveryListenerSeesEachRaiseAfterItsRegistration) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto a = signal::unix_signal(signal::kind::user_defined1());
    auto b = signal::unix_signal(signal::kind::user_defined1());
    KYOTO_CO_ASSERT(a && b);
    EXPECT_EQ(a->signum(), SIGUSR1);
    for (int i = 0; i < 5; ++i) {
      ::kill(::getpid(), SIGUSR1);
      auto ga = co_await recv_within(*a, 5s);
      auto gb = co_await recv_within(*b, 5s);
      EXPECT_EQ(ga, SIGUSR1) << "round " << i;
      EXPECT_EQ(gb, SIGUSR1) << "round " << i;
    }
    // A listener made now does not see the past deliveries.
    auto late = signal::unix_signal(signal::kind::user_defined1());
    KYOTO_CO_ASSERT(late);
    auto nothing = co_await recv_within(*late, 30ms);
    EXPECT_FALSE(nothing);
  }());
}

TEST_P(Signal, DeliveriesWhileNobodyPollsCoalesceButAreNotLost) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto s = signal::unix_signal(signal::kind::user_defined2());
    KYOTO_CO_ASSERT(s);
    for (int i = 0; i < 3; ++i) ::kill(::getpid(), SIGUSR2);
    co_await kyoto::sleep(20ms);
    auto first = co_await recv_within(*s, 5s);
    EXPECT_EQ(first, SIGUSR2);
    auto second = co_await recv_within(*s, 30ms);
    EXPECT_FALSE(second) << "three raises before polling are one delivery";
  }());
}

TEST_P(Signal, ASignalRaisedByAForeignThreadIsSeen) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto s = signal::unix_signal(signal::kind::hangup());
    KYOTO_CO_ASSERT(s);
    std::thread t([] {
      std::this_thread::sleep_for(10ms);
      ::kill(::getpid(), SIGHUP);
    });
    auto got = co_await recv_within(*s, 5s);
    t.join();
    EXPECT_EQ(got, SIGHUP);
  }());
}

TEST_P(Signal, CtrlCResolvesOnSigintSentByAChildProcess) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto waiting = spawn(signal::ctrl_c());
    co_await kyoto::sleep(20ms);  // let ctrl_c register
    std::string pid = std::to_string(::getpid());
    const char* argv[] = {"kill", "-INT", pid.c_str(), nullptr};
    pid_t child;
    KYOTO_CO_ASSERT(
        ::posix_spawnp(&child, "kill", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
    auto r = co_await kyoto::timeout(5s, std::move(waiting));
    int status = 0;
    ::waitpid(child, &status, 0);
    KYOTO_CO_ASSERT(r);
    EXPECT_TRUE(*r && **r);
  }());
}

TEST(SignalRuntimes, SignalsWorkOnARuntimeBuiltAfterAnotherWasDestroyed) {
  for (int round = 0; round < 3; ++round) {
    auto rt = runtime::builder::current_thread().enable_all().build();
    auto got = rt.block_on([]() -> task<std::optional<int>> {
      auto s = signal::unix_signal(signal::kind::window_change());
      if (!s) co_return std::nullopt;
      ::kill(::getpid(), SIGWINCH);
      co_return co_await recv_within(*s, 5s);
    }());
    EXPECT_EQ(got, SIGWINCH) << "round " << round;
  }
}

TEST(SignalRuntimes, ForbiddenSignalsAreRejected) {
  auto rt = runtime::builder::current_thread().enable_all().build();
  rt.block_on([]() -> task<void> {
    for (int sig : {SIGKILL, SIGSTOP, SIGSEGV, 0, 1000}) {
      auto s = signal::unix_signal(signal::kind::from_raw(sig));
      EXPECT_FALSE(s) << sig;
      if (!s) {
        EXPECT_EQ(s.error(), std::errc::invalid_argument);
      }
    }
    co_return;
  }());
  EXPECT_THROW((void)signal::unix_signal(signal::kind::terminate()), std::runtime_error);
}

TEST(SignalRuntimes, ASignalStreamIsAStream) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).enable_all().build();
  int n = rt.block_on([]() -> task<int> {
    auto s = signal::unix_signal(signal::kind::alarm());
    if (!s) co_return -1;
    ::kill(::getpid(), SIGALRM);
    auto item = co_await kyoto::timeout(5s, kyoto::next(*s));
    co_return item&&* item ? **item : -2;
  }());
  EXPECT_EQ(n, SIGALRM);
}

}  // namespace
