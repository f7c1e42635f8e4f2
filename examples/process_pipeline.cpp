// Two child processes piped together, as a shell's `printf ... | sort`:
// the first one's stdout and the second one's stdin are pipes on kyoto's
// reactor, and a loop copies between them (while another task reads the
// second one's output), so nothing blocks a thread.
#include <cstdio>
#include <kyoto/kyoto.hpp>
#include <string>
#include <vector>

namespace {

// Copies until `from` ends, then closes `to` (its reader sees the end).
template <class R, class W>
kyoto::task<kyoto::io::result<std::size_t>> pump(R from, W to) {
  std::vector<std::byte> buf(16 * 1024);
  std::size_t total = 0;
  for (;;) {
    std::size_t n = co_await kyoto::try_(kyoto::io::read(from, std::span(buf)));
    if (n == 0) break;
    co_await kyoto::try_(kyoto::io::write_all(to, std::span<const std::byte>(buf.data(), n)));
    total += n;
  }
  co_await kyoto::try_(kyoto::io::shutdown(to));
  co_return total;
}

std::string describe(const kyoto::io::result<kyoto::process::exit_status>& s) {
  if (!s) return "error: " + s.error().message();
  if (s->code()) return "exit " + std::to_string(*s->code());
  return "killed by signal " + std::to_string(s->signal().value_or(0));
}

kyoto::task<int> async_main() {
  using kyoto::process::command;
  using kyoto::process::stdio;
  auto producer = command("printf").arg("pear\\nfig\\napple\\n").stdout(stdio::piped()).spawn();
  if (!producer) {
    std::fprintf(stderr, "process_pipeline: %s\n", producer.error().message().c_str());
    co_return 1;
  }
  auto sorter = command("sort").stdin(stdio::piped()).stdout(stdio::piped()).spawn();
  if (!sorter) {
    std::fprintf(stderr, "process_pipeline: %s\n", sorter.error().message().c_str());
    co_return 1;
  }
  auto [copied, sorted] = co_await kyoto::join(
      pump(std::move(*producer->take_stdout()), std::move(*sorter->take_stdin())),
      [](kyoto::process::child_stdout out) -> kyoto::task<kyoto::io::result<std::string>> {
        std::string text;
        co_await kyoto::try_(kyoto::io::read_to_string(out, text));
        co_return text;
      }(std::move(*sorter->take_stdout())));
  auto first_status = co_await producer->wait();
  auto second_status = co_await sorter->wait();
  if (!copied || !sorted) {
    std::fprintf(stderr, "process_pipeline: %s\n",
                 (!copied ? copied.error() : sorted.error()).message().c_str());
    co_return 1;
  }
  std::printf("printf 'pear\\nfig\\napple\\n' | sort:\n%s", sorted->c_str());
  std::printf("printf: %s, sort: %s, %zu bytes copied\n", describe(first_status).c_str(),
              describe(second_status).c_str(), *copied);
  co_return first_status && first_status->success() && second_status && second_status->success()
      ? 0
      : 1;
}

}  // namespace

int main() { return kyoto::run(async_main()); }
