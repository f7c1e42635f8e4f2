// fs::read_dir: a directory's entries as a stream, read in batches (one
// blocking-pool job reads up to 128 entries, so 10,000 entries take about
// 80 jobs, not 10,000).
//   auto rd = co_await kyoto::fs::read_dir("logs");          // io::result<fs::read_dir_stream>
//   if (!rd) co_return kyoto::err(rd.error());
//   while (auto e = co_await rd->next_entry()) {             //
//   io::result<std::optional<dir_entry>>
//     if (!*e) break;                                        // the end
//     std::cout << (*e)->file_name() << '\n';
//   }
// "." and ".." are skipped; the order is the file system's. It is also a
// kyoto::stream of io::result<dir_entry> (an error ends the stream).
// Cancel safety: next_entry() is cancel safe (a batch being read when the
// future is dropped is kept for the next call).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "kyoto/core/context.hpp"
#include "kyoto/core/poll.hpp"
#include "kyoto/core/task.hpp"
#include "kyoto/fs/file_type.hpp"
#include "kyoto/fs/metadata.hpp"
#include "kyoto/io/result.hpp"

namespace kyoto::fs {

namespace detail {
struct read_dir_state;
}

/// One entry of a directory (Rust's DirEntry).
class dir_entry {
 public:
  dir_entry(std::filesystem::path p, fs::file_type t, std::uint64_t ino)
      : path_(std::move(p)), type_(t), ino_(ino) {}

  /// The directory's path joined with file_name().
  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path file_name() const { return path_.filename(); }
  /// From the directory itself (d_type), or lstat when it does not say:
  /// a symbolic link is a symlink, not its target.
  fs::file_type file_type() const noexcept { return type_; }
  std::uint64_t ino() const noexcept { return ino_; }
  /// lstat of the entry, on the blocking pool (does not follow links).
  task<io::result<file_metadata>> metadata() const;

 private:
  std::filesystem::path path_;
  fs::file_type type_;
  std::uint64_t ino_;
};

class read_dir_stream {
 public:
  using item_type = io::result<dir_entry>;

  read_dir_stream() noexcept;
  explicit read_dir_stream(std::unique_ptr<detail::read_dir_state> s) noexcept;
  read_dir_stream(read_dir_stream&&) noexcept;
  read_dir_stream& operator=(read_dir_stream&&) noexcept;
  ~read_dir_stream();

  /// ready(entry), ready(nullopt) at the end, or an error (then the end).
  poll_result<io::result<std::optional<dir_entry>>> poll_next_entry(context& cx);
  poll_result<std::optional<io::result<dir_entry>>> poll_next(context& cx);

  class [[nodiscard]] next_entry_future {
   public:
    using output_type = io::result<std::optional<dir_entry>>;
    explicit next_entry_future(read_dir_stream& s) noexcept : s_(&s) {}
    poll_result<output_type> poll(context& cx) { return s_->poll_next_entry(cx); }

   private:
    read_dir_stream* s_;
  };
  next_entry_future next_entry() noexcept { return next_entry_future(*this); }

 private:
  std::unique_ptr<detail::read_dir_state> s_;
};

/// Opens the directory and reads its first batch (one job).
task<io::result<read_dir_stream>> read_dir(std::filesystem::path p);

}  // namespace kyoto::fs
