// The state machine behind fs::file (docs/design/fs.md has the full story).
//
// A file is idle or busy. Idle: `buf` is owned by the file and may hold
// read-ahead bytes (pos..len unread). Busy: exactly one job is in flight
// (`inflight` engaged); the buffer has been moved into the job, which alone
// touches its bytes, and comes back in the job's output. The handoff is the
// task completion of the job (release by the pool thread, acquire by the
// poll that sees it complete), so no byte is shared between threads.
//
// Who may touch what: everything here belongs to the one task using the
// file (fs::file is not shared between tasks, like any reader/writer). A
// job touches only what was moved or copied into it: the buffer, the
// shared descriptor (shared_ptr: a file dropped while busy leaves the job
// its descriptor, closed by whichever of the two finishes last), numbers.
//
// No lost wake-up: a busy file's poll_* polls the job's handle with the
// caller's context, which registers the waker before answering pending;
// the job's completion wakes it. Cancellation: dropping the future that
// polled leaves the job in flight; the next operation on the file polls it
// to completion first and applies its outcome (read bytes stay in the
// buffer, a write error is kept for the next write or flush, a seek's new
// position is simply where the descriptor is).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include "fs/owned_fd.hpp"
#include "fs/submit.hpp"
#include "kyoto/io/read_buf.hpp"
#include "kyoto/io/result.hpp"
#include "kyoto/io/seek.hpp"

namespace kyoto::fs::detail {

/// A byte buffer: [pos, len) is unread data. Its storage is a vector so
/// that a read of a whole file can become the caller's vector without a
/// copy (take_into); it is zeroed when it grows, which happens once per
/// file for the usual reads (up to max_buf).
class chunk {
 public:
  std::size_t unread() const noexcept { return len_ - pos_; }
  bool empty() const noexcept { return pos_ == len_; }
  std::byte* data() noexcept { return data_.data(); }
  const std::byte* data() const noexcept { return data_.data(); }
  std::size_t len() const noexcept { return len_; }

  /// Room for n bytes; the contents are not kept.
  void reserve(std::size_t n) {
    if (data_.size() < n) {
      data_ = std::vector<std::byte>();  // no copy of the old bytes
      data_.resize(n);
    }
  }
  /// Marks [0, n) as fresh unread data.
  void filled(std::size_t n) noexcept {
    len_ = n;
    pos_ = 0;
  }
  void clear() noexcept { len_ = pos_ = 0; }
  /// Copies unread bytes into dst; how many.
  std::size_t copy_to(io::read_buf& dst) noexcept {
    std::size_t n = unread() < dst.remaining() ? unread() : dst.remaining();
    dst.put(std::span<const std::byte>(data_.data() + pos_, n));
    pos_ += n;
    return n;
  }
  /// Appends up to max unread bytes to out; how many. When out is empty
  /// and every unread byte fits, the storage itself becomes out (no copy)
  /// and the chunk is left without storage.
  std::size_t take_into(std::vector<std::byte>& out, std::size_t max) {
    std::size_t n = unread() < max ? unread() : max;
    if (n == 0) return 0;
    if (out.empty() && pos_ == 0 && n == len_) {
      data_.resize(len_);
      out = std::move(data_);
      data_ = std::vector<std::byte>();
      len_ = pos_ = 0;
      return n;
    }
    out.insert(out.end(), data_.begin() + static_cast<std::ptrdiff_t>(pos_),
               data_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return n;
  }
  /// Replaces the contents with bytes.
  void assign(std::span<const std::byte> bytes) {
    reserve(bytes.size());
    if (!bytes.empty()) std::memcpy(data_.data(), bytes.data(), bytes.size());
    filled(bytes.size());
  }
  /// Drops the unread bytes; how many there were (the descriptor is that
  /// far ahead of the file's logical position).
  std::size_t discard() noexcept {
    std::size_t n = unread();
    clear();
    return n;
  }

 private:
  std::vector<std::byte> data_;  // its size is the capacity
  std::size_t len_ = 0;
  std::size_t pos_ = 0;
};

enum class op_kind : unsigned char { read, write, seek };

/// What a job gives back: its kind, bytes read / written or the new
/// position, and the buffer.
struct op_done {
  op_kind kind;
  io::result<std::uint64_t> res;
  chunk buf;
  op_done(op_kind k, io::result<std::uint64_t> r, chunk&& b)
      : kind(k), res(std::move(r)), buf(std::move(b)) {}
};

/// A finished operation as the file sees it (the buffer is back in place).
struct finished {
  op_kind kind;
  io::result<std::uint64_t> res;
  finished(op_kind k, io::result<std::uint64_t> r) : kind(k), res(std::move(r)) {}
};

class file_state {
 public:
  static constexpr std::size_t default_max_buf = std::size_t{2} << 20;
  static constexpr std::size_t min_read = std::size_t{16} << 10;

  explicit file_state(owned_fd fd) : fd_(std::make_shared<owned_fd>(std::move(fd))) {}

  int fd() const noexcept { return fd_->get(); }
  const std::shared_ptr<owned_fd>& shared_fd() const noexcept { return fd_; }
  bool busy() const noexcept { return inflight_.has_value(); }

  /// Pending while a job is in flight; ready(nullopt) when idle, or
  /// ready(outcome) once the job finished (the buffer is back).
  poll_result<std::optional<finished>> poll_inflight(context& cx);

  /// A job reading up to n bytes into the buffer; `fully`: continues short
  /// reads until n bytes or the end (a failure after some bytes gives those).
  void start_read(std::size_t n, bool fully = false);
  /// Writes bytes (at most max_buf, the caller has cut them) after undoing
  /// the read-ahead.
  void start_write(std::span<const std::byte> bytes);
  void start_seek(io::seek_from pos);
  void start_set_len(std::uint64_t n);

  /// Bytes read by the caller: the read-size hint goes down by as many.
  void delivered(std::size_t n) noexcept {
    if (left_hint) *left_hint = *left_hint > n ? *left_hint - n : 0;
  }

  chunk buf;                                      // idle only
  std::optional<std::uint64_t> left_hint;         // file::read_size_hint; reset by
                                                  // start_write/seek/set_len
  std::optional<std::error_code> last_write_err;  // a failed write not reported yet
  std::size_t max_buf = default_max_buf;

 private:
  void submit_job(op_kind k, job_handle<op_done> h) {
    inflight_.emplace(std::move(h));
    kind_ = k;
  }
  std::shared_ptr<owned_fd> fd_;
  std::optional<job_handle<op_done>> inflight_;
  op_kind kind_ = op_kind::read;  // of inflight_
};

}  // namespace kyoto::fs::detail
