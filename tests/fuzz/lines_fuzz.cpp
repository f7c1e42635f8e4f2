// libFuzzer target for io::lines (the splitter behind buf_reader::lines()).
// The input's first bytes choose the line limit, the buffer's capacity,
// the reader's chunk sizes and stalls, and whether the stream ends with an
// I/O error; the rest is the stream. The lines polled out of it must equal
// what a plain split of the whole text gives:
//   - each '\n'-terminated segment is one line, a '\r' before the '\n' dropped;
//   - a final segment without '\n' is a line as it is (if not empty);
//   - a segment longer than the limit is one line_too_long error, reported
//     as soon as the limit is passed, and its bytes up to the '\n' are dropped;
//   - an I/O error at the end is reported after the complete lines (and
//     after the error for an over-long last segment), then the stream ends
//     with the partial last line, which the error did not lose.
//   clang preset: build/clang/tests/fuzz/kyoto_fuzz_lines tests/fuzz/corpus/lines
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "kyoto/io/buf_reader.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// One item of the stream, as text: "L:<line>", "E:too_long" or "E:io".
using items = std::vector<std::string>;

struct chunked_reader {
  std::string_view text;
  std::uint32_t rng;
  bool error_at_end;
  std::size_t pos = 0;
  bool error_given = false;

  std::uint32_t next() {
    rng = rng * 1103515245u + 12345u;
    return rng >> 16;
  }

  kyoto::poll_result<kyoto::io::result<void>> poll_read(kyoto::context& cx,
                                                        kyoto::io::read_buf& buf) {
    if (next() % 4 == 0) {  // a stall: not ready now, ready when polled again
      cx.waker().wake_by_ref();
      return kyoto::pending;
    }
    if (pos == text.size() && error_at_end && !error_given) {
      error_given = true;
      return kyoto::io::result<void>(kyoto::err(std::make_error_code(std::errc::connection_reset)));
    }
    std::size_t n = std::min<std::size_t>({1 + next() % 17, buf.remaining(), text.size() - pos});
    buf.put(std::as_bytes(std::span(text.data() + pos, n)));
    pos += n;
    return kyoto::io::result<void>();
  }
};

items expected(std::string_view text, std::size_t max_line, bool error_at_end) {
  items out;
  std::size_t start = 0;
  for (;;) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) break;
    std::string_view seg = text.substr(start, nl - start);
    if (seg.size() > max_line) {
      out.push_back("E:too_long");
    } else {
      if (!seg.empty() && seg.back() == '\r') seg.remove_suffix(1);
      out.push_back("L:" + std::string(seg));
    }
    start = nl + 1;
  }
  std::string_view last = text.substr(start);
  bool too_long = last.size() > max_line;
  if (too_long) out.push_back("E:too_long");
  if (error_at_end) out.push_back("E:io");
  if (!too_long && !last.empty()) out.push_back("L:" + std::string(last));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  using reader_type = kyoto::io::buf_reader<chunked_reader>;
  std::size_t max_line = data[0] == 255 ? reader_type::no_limit : data[0] % 64;
  std::size_t capacity = 1 + data[1] % 32;
  bool error_at_end = (data[2] & 1) != 0;
  std::uint32_t seed = data[3];
  std::string_view text(reinterpret_cast<const char*>(data + 4), size - 4);

  reader_type reader(chunked_reader{text, seed, error_at_end}, capacity);
  auto lines = std::move(reader).lines(max_line);
  kyoto::waker w = kyoto::waker::noop();
  kyoto::context cx(w);
  items got;
  // Every poll either makes progress or stalls once (the reader alternates
  // at random), so this bound is never reached by a correct splitter.
  for (std::size_t polls = 0; polls < 8 * (text.size() + 4); ++polls) {
    auto p = lines.poll_next(cx);
    if (p.is_pending()) continue;
    auto& item = p.value();
    if (!item) {
      check(got == expected(text, max_line, error_at_end));
      return 0;
    }
    if (*item) {
      got.push_back("L:" + **item);
    } else if (item->error() == kyoto::io::errc::line_too_long) {
      got.push_back("E:too_long");
    } else {
      check(item->error() == std::errc::connection_reset);
      got.push_back("E:io");
    }
  }
  check(false);  // the stream never ended
  return 0;
}
