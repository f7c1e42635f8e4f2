// Child processes (Tokio's tokio::process).
//   auto out = co_await kyoto::process::command("ls").arg("-l").output();
//   if (out && out->status.success()) std::cout << out->stdout;
//   auto child = kyoto::process::command("cat").stdin(kyoto::process::stdio::piped())
//                    .stdout(kyoto::process::stdio::piped()).spawn();
//
// Spawning uses posix_spawn, so a program that cannot be run (missing, not
// executable) is an error of spawn() itself, whose message names it
// ("kyoto::process: cannot run 'nope': No such file or directory"; it
// compares equal to the std::errc), never a child that exits 127.
// Waiting uses a pidfd (pidfd_open, Linux 5.3+) registered with the I/O
// driver: no SIGCHLD handler, no busy polling. Where pidfd_open is missing
// the wait runs on the blocking pool (waitpid). A child dropped without
// being waited for is reaped in the background (killed first when
// kill_on_drop(true)), so no zombie is left behind.
// Cancel safety: wait() is cancel safe (the child keeps running and can be
// waited for again); output() / wait_with_output() are not (dropping them
// loses what was read; the child is reaped as above).
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kyoto/core/task.hpp"
#include "kyoto/io/pipe.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::process {

/// What a child's standard stream is connected to.
class stdio {
 public:
  static stdio inherit() noexcept { return stdio(how::inherit); }
  static stdio null() noexcept { return stdio(how::null); }
  static stdio piped() noexcept { return stdio(how::piped); }
  enum class how : unsigned char { inherit, null, piped };
  how kind() const noexcept { return how_; }

 private:
  explicit stdio(how h) noexcept : how_(h) {}
  how how_;
};

/// How a child ended: an exit code or a signal.
class exit_status {
 public:
  explicit exit_status(int wait_status = 0) noexcept : raw_(wait_status) {}
  bool success() const noexcept { return code() == 0; }
  std::optional<int> code() const noexcept;
  std::optional<int> signal() const noexcept;
  int raw() const noexcept { return raw_; }
  friend bool operator==(const exit_status&, const exit_status&) = default;

 private:
  int raw_;
};

struct output {
  exit_status status;
  std::string stdout;
  std::string stderr;
};

using child_stdin = io::pipe_writer;
using child_stdout = io::pipe_reader;
using child_stderr = io::pipe_reader;

namespace detail {
struct child_state;
}

class child {
 public:
  child(child&& o) noexcept;
  child& operator=(child&& o) noexcept;
  /// Kills the child if kill_on_drop was set; reaps it in the background
  /// unless it was already waited for.
  ~child();

  /// The process id, until it has been reaped.
  std::optional<std::uint32_t> id() const noexcept;
  /// Waits for the child to exit (closing its stdin first, as Tokio does).
  task<io::result<exit_status>> wait();
  /// The status if it has exited, without waiting.
  io::result<std::optional<exit_status>> try_wait();
  /// Sends SIGKILL (no error if it already exited but was not yet reaped).
  io::result<void> start_kill();
  /// start_kill, then wait.
  task<io::result<void>> kill();

  std::optional<child_stdin> take_stdin() noexcept;
  std::optional<child_stdout> take_stdout() noexcept;
  std::optional<child_stderr> take_stderr() noexcept;

  /// Reads stdout and stderr (those piped) concurrently while waiting.
  task<io::result<output>> wait_with_output() &&;

 private:
  friend class command;
  explicit child(detail::child_state* s) noexcept : s_(s) {}
  detail::child_state* s_;
};

class command {
 public:
  explicit command(std::string program);

  command& arg(std::string a);
  command& args(std::initializer_list<std::string> as);
  template <class Range>
  command& args(const Range& as) {
    for (const auto& a : as) arg(std::string(a));
    return *this;
  }
  command& env(std::string key, std::string value);
  command& env_remove(const std::string& key);
  command& env_clear();
  command& current_dir(std::filesystem::path dir);
  command& stdin(stdio s) noexcept;
  command& stdout(stdio s) noexcept;
  command& stderr(stdio s) noexcept;
  /// Kill the child (SIGKILL) when its `child` is dropped before it exited.
  command& kill_on_drop(bool on) noexcept;

  /// Starts the program. Must run inside a runtime with I/O enabled.
  io::result<child> spawn();
  /// Runs it to the end with stdout and stderr captured (stdin null unless
  /// set). The task keeps its own copy of the command.
  task<io::result<process::output>> output() const { return output_of(*this); }
  /// Runs it to the end (stdio inherited unless set) and gives its status.
  task<io::result<exit_status>> status() const { return status_of(*this); }

  const std::string& program() const noexcept { return program_; }

 private:
  static task<io::result<process::output>> output_of(command cmd);
  static task<io::result<exit_status>> status_of(command cmd);

  std::string program_;
  std::vector<std::string> args_;
  std::map<std::string, std::optional<std::string>> env_;  // nullopt: removed
  bool env_clear_ = false;
  std::optional<std::filesystem::path> dir_;
  std::optional<stdio> stdin_, stdout_, stderr_;
  bool kill_on_drop_ = false;
};

}  // namespace kyoto::process
