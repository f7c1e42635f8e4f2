#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>

#include "co_assert.hpp"
#include "fd_count.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

using namespace kyoto;
using namespace kyoto::test;
using namespace std::chrono_literals;

namespace {

class Process : public every_flavor {
 protected:
  void SetUp() override { baseline_ = open_fd_count(); }
  void TearDown() override { EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors"; }
  std::size_t baseline_ = 0;
};
KYOTO_EVERY_FLAVOR(Process);

// Children of this process that are zombies (state Z in /proc/<pid>/stat).
int zombie_children() {
  int zombies = 0;
  pid_t self = ::getpid();
  DIR* d = ::opendir("/proc");
  if (!d) return -1;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close == std::string::npos || close + 4 > line.size()) continue;
    char state = line[close + 2];
    int ppid = std::atoi(line.c_str() + close + 4);
    if (ppid == self && state == 'Z') ++zombies;
  }
  ::closedir(d);
  return zombies;
}

TEST_P(Process, EchoThroughStdinAndStdoutPipes) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto c = process::command("cat")
                 .stdin(process::stdio::piped())
                 .stdout(process::stdio::piped())
                 .spawn();
    KYOTO_CO_ASSERT(c);
    EXPECT_TRUE(c->id());
    auto in = c->take_stdin();
    auto out = c->take_stdout();
    KYOTO_CO_ASSERT(in && out);
    std::string msg(100000, 'q');
    auto writer = spawn([](process::child_stdin w, std::string m) -> task<bool> {
      bool ok = static_cast<bool>(co_await io::write_all(w, m));
      co_return ok;  // dropping w closes the pipe: cat sees the end
    }(std::move(*in), msg));
    std::string got;
    KYOTO_CO_ASSERT(co_await io::read_to_string(*out, got));
    EXPECT_EQ(got.size(), msg.size());
    EXPECT_TRUE(got == msg);
    auto w = co_await writer;
    EXPECT_TRUE(w && *w);
    auto st = co_await c->wait();
    KYOTO_CO_ASSERT(st);
    EXPECT_TRUE(st->success());
    EXPECT_EQ(st->code(), 0);
    EXPECT_FALSE(c->id());
  }());
}

TEST_P(Process, OutputCollectsTenMegabytesOnBothStreamsWithoutDeadlock) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto out = co_await process::command("sh")
                   .arg("-c")
                   .arg("head -c 10485760 /dev/zero; head -c 10485760 /dev/zero >&2; exit 3")
                   .output();
    KYOTO_CO_ASSERT(out);
    EXPECT_EQ(out->stdout.size(), 10485760u);
    EXPECT_EQ(out->stderr.size(), 10485760u);
    EXPECT_EQ(out->status.code(), 3);
    EXPECT_FALSE(out->status.success());
  }());
}

TEST_P(Process, ArgsEnvAndCurrentDir) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    process::command cmd("sh");
    cmd.args({"-c", "printf '%s|%s|%s|' \"$1\" \"$KYOTO_X\" \"$HOME\"; pwd", "sh", "arg one"})
        .env("KYOTO_X", "set")
        .env_remove("HOME")
        .current_dir("/tmp");
    auto out = co_await cmd.output();
    KYOTO_CO_ASSERT(out);
    EXPECT_EQ(out->stdout, "arg one|set||/tmp\n");
    auto clear = co_await process::command("/usr/bin/env").env_clear().env("ONLY", "1").output();
    KYOTO_CO_ASSERT(clear);
    EXPECT_EQ(clear->stdout, "ONLY=1\n");
  }());
}

TEST_P(Process, KilledChildReportsItsSignal) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto c = process::command("sleep").arg("30").spawn();
    KYOTO_CO_ASSERT(c);
    auto early = c->try_wait();
    KYOTO_CO_ASSERT(early && !*early);
    KYOTO_CO_ASSERT(c->start_kill());
    auto st = co_await c->wait();
    KYOTO_CO_ASSERT(st);
    EXPECT_EQ(st->signal(), SIGKILL);
    EXPECT_FALSE(st->code());
    auto term = process::command("sh").arg("-c").arg("kill -TERM $$").spawn();
    KYOTO_CO_ASSERT(term);
    auto st2 = co_await term->wait();
    KYOTO_CO_ASSERT(st2);
    EXPECT_EQ(st2->signal(), SIGTERM);
  }());
}

TEST_P(Process, TwoHundredConcurrentChildrenAreAllReaped) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    join_set<bool> set;
    for (int i = 0; i < 200; ++i) {
      set.spawn([]() -> task<bool> {
        auto st = co_await process::command("true").status();
        co_return st && st->success();
      });
    }
    int ok = 0;
    while (auto r = co_await set.join_next()) ok += (*r && **r) ? 1 : 0;
    EXPECT_EQ(ok, 200);
    EXPECT_EQ(zombie_children(), 0);
  }());
}

TEST_P(Process, DroppedChildWithKillOnDropIsKilledAndReaped) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    pid_t pid;
    {
      auto c = process::command("sleep").arg("30").kill_on_drop(true).spawn();
      KYOTO_CO_ASSERT(c);
      pid = static_cast<pid_t>(*c->id());
    }
    // Reaped in the background: the pid disappears (no zombie).
    bool gone = false;
    for (int i = 0; i < 500 && !gone; ++i) {
      gone = ::kill(pid, 0) != 0 && errno == ESRCH;
      if (!gone) co_await kyoto::sleep(5ms);
    }
    EXPECT_TRUE(gone) << "pid " << pid << " still exists";
    // A dropped child without kill_on_drop runs on and is reaped when it ends.
    { auto c = process::command("true").spawn(); }
    co_await kyoto::sleep(100ms);
    EXPECT_EQ(zombie_children(), 0);
  }());
}

TEST_P(Process, AMissingProgramIsAnErrorNamingIt) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto c = process::command("kyoto-no-such-program").spawn();
    KYOTO_CO_ASSERT(!c);
    EXPECT_EQ(c.error(), std::errc::no_such_file_or_directory);
    EXPECT_NE(c.error().message().find("kyoto-no-such-program"), std::string::npos)
        << c.error().message();
    auto abs = process::command("/nonexistent/prog").spawn();
    KYOTO_CO_ASSERT(!abs);
    EXPECT_EQ(abs.error(), std::errc::no_such_file_or_directory);
    std::string file = "/tmp/kyoto-not-executable-" + std::to_string(::getpid());
    { std::ofstream(file) << "not a program\n"; }
    auto notexec = process::command(file).spawn();
    ::unlink(file.c_str());
    KYOTO_CO_ASSERT(!notexec);
    EXPECT_TRUE(notexec.error() == std::errc::permission_denied ||
                notexec.error() == std::errc::executable_format_error)
        << notexec.error().message();
    auto st = co_await process::command("kyoto-no-such-program").status();
    EXPECT_FALSE(st);
  }());
}

}  // namespace
