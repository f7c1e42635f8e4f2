// fs::file: an open file, an async_read and async_write (Tokio's File).
//   auto f = co_await kyoto::fs::file::create("out.bin");
//   co_await kyoto::io::write_all(*f, bytes);
//   co_await kyoto::io::flush(*f);        // waits for the last write, reports its error
//   auto g = co_await kyoto::fs::file::open("out.bin");
//   std::vector<std::byte> all;
//   co_await kyoto::io::read_to_end(*g, all);
//
// Regular files are not pollable: every operation runs on the blocking
// pool, one at a time, through a buffer of up to max_buf_size() bytes
// (2 MiB by default): a read fetches min(asked, max) bytes (at least
// 16 KiB, kept for the next reads) in one job (poll_read_into_vec, which
// io::read_to_end uses, fetches all it is asked for in one job instead); a write copies up to max
// bytes into the buffer, starts the job and returns at once, so the
// caller's next write or flush waits for it. A short write by the OS is
// continued; a failed one (ENOSPC, EIO) is reported by the next write,
// flush or shutdown - so call flush() before dropping a file whose errors
// matter (a dropped file finishes its last write in the background and
// closes the descriptor after it). docs/design/fs.md has the states.
//
// One task uses a file at a time (as with any reader/writer). The member
// coroutines (seek, set_len, ...) keep a pointer to the file: it must not
// be moved or destroyed while one is running.
// Cancel safety: a dropped read leaves its bytes buffered for the next
// read; a dropped seek or set_len still takes effect; nothing is lost or
// done twice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "kyoto/core/context.hpp"
#include "kyoto/core/poll.hpp"
#include "kyoto/core/task.hpp"
#include "kyoto/fs/metadata.hpp"
#include "kyoto/fs/open_options.hpp"
#include "kyoto/fs/permissions.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/result.hpp"
#include "kyoto/io/seek.hpp"

namespace kyoto::fs {

namespace detail {
class file_state;
struct file_access;
}  // namespace detail

class file {
 public:
  /// No file (every operation fails with std::errc::bad_file_descriptor).
  file() noexcept;
  file(file&&) noexcept;
  file& operator=(file&&) noexcept;
  ~file();

  /// Opens for reading.
  static task<io::result<file>> open(std::filesystem::path p);
  /// Opens for writing, created or truncated.
  static task<io::result<file>> create(std::filesystem::path p);
  /// Opens for writing a file that must not exist yet (std::errc::file_exists).
  static task<io::result<file>> create_new(std::filesystem::path p);
  /// open_options() (Rust's File::options()).
  static open_options options() noexcept { return open_options(); }

  /// Adopts a blocking descriptor (it is closed with the file); no
  /// runtime is needed until the first operation.
  static io::result<file> from_std(int fd);
  /// Waits for the operation in flight and gives back the descriptor
  /// (owned by the caller), positioned where the reads and writes made so
  /// far leave it; the file is empty afterwards. A failed write not yet
  /// reported is returned instead (the file keeps its descriptor).
  task<io::result<int>> into_std();
  /// The descriptor, still owned by the file (-1 if none). Its position
  /// may be ahead of the reads (buffered data) while a file is in use.
  int fd() const noexcept;
  bool is_open() const noexcept;

  poll_result<io::result<void>> poll_read(context& cx, io::read_buf& buf);
  /// Appends up to n bytes to `out` (none: the end of the file), read in
  /// one blocking-pool job whatever max_buf_size() is; when `out` is empty
  /// and nothing was buffered, the job's buffer becomes `out`: no copy.
  /// io::read_to_end uses it (concept io::has_read_into_vec) to read a
  /// file into an empty vector with one job and no copy. Cancel safe as
  /// poll_read: bytes of a dropped call stay buffered for the next read.
  ///   std::vector<std::byte> all;  // in a hand-written future's poll:
  ///   auto p = f.poll_read_into_vec(cx, all, *f.read_size_hint());
  poll_result<io::result<void>> poll_read_into_vec(context& cx, std::vector<std::byte>& out,
                                                   std::size_t n);
  poll_result<io::result<std::size_t>> poll_write(context& cx, std::span<const std::byte> bytes);
  poll_result<io::result<void>> poll_flush(context& cx);
  /// As poll_flush (the file stays open).
  poll_result<io::result<void>> poll_shutdown(context& cx) { return poll_flush(cx); }

  /// Moves the position; the new position from the start. Waits for the
  /// operation in flight first; buffered read data is dropped.
  task<io::result<std::uint64_t>> seek(io::seek_from pos);
  /// Truncates or extends (with zeros) to n bytes; the position is kept.
  task<io::result<void>> set_len(std::uint64_t n);
  /// Waits for the pending write (its error is returned), then fsync(2).
  task<io::result<void>> sync_all();
  /// As sync_all with fdatasync(2).
  task<io::result<void>> sync_data();
  /// fstat of the open file.
  task<io::result<file_metadata>> metadata() const;
  /// fchmod(2).
  task<io::result<void>> set_permissions(fs::permissions perms) const;
  /// A new file on a dup(2) of the descriptor: it shares the position,
  /// which this file's buffering may have moved ahead of its reads.
  task<io::result<file>> try_clone() const;

  /// Bytes left before the end: the size fstat gave when open() opened
  /// it, minus the bytes read since, as long as the file has only been
  /// read (nullopt after a write, seek or set_len, and for from_std). A
  /// hint (the file may change): io::read_to_end reserves that much.
  std::optional<std::size_t> read_size_hint() const noexcept;

  std::size_t max_buf_size() const noexcept;
  /// The largest read or write one job does (default 2 MiB, at least 1);
  /// poll_read_into_vec is not bound by it.
  void set_max_buf_size(std::size_t n) noexcept;

 private:
  friend struct detail::file_access;
  explicit file(std::unique_ptr<detail::file_state> s) noexcept;
  std::unique_ptr<detail::file_state> s_;
};

}  // namespace kyoto::fs
