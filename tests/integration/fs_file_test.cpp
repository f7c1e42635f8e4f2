#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>

#include "fs_fixture.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

class FsFile : public fs_test {};
KYOTO_EVERY_FLAVOR(FsFile);

task<std::string> read_n(fs::file& f, std::size_t n) {
  std::string out(n, '\0');
  auto r = co_await io::read_exact(f, std::as_writable_bytes(std::span(out.data(), n)));
  if (!r) co_return "<error>";
  co_return out;
}

task<bool> read_and_compare(std::filesystem::path p,
                            std::shared_ptr<const std::vector<std::byte>> want, bool whole) {
  std::vector<std::byte> got;
  if (whole) {
    auto r = co_await fs::read(p);
    if (!r) co_return false;
    got = std::move(*r);
  } else {
    auto f = co_await fs::file::open(p);
    if (!f) co_return false;
    f->set_max_buf_size(std::size_t{64} << 10);
    if (!co_await io::read_to_end(*f, got)) co_return false;
  }
  co_return got == *want;
}

TEST_P(FsFile, ManyTasksReadOneFileConcurrently) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto want = std::make_shared<const std::vector<std::byte>>(pattern(std::size_t{3} << 20, 5));
    auto p = dir / "shared.bin";
    KYOTO_CO_ASSERT(co_await fs::write(p, std::span<const std::byte>(*want)));
    std::vector<join_handle<bool>> readers;
    for (int i = 0; i < 24; ++i) readers.push_back(spawn(read_and_compare(p, want, i % 3 == 0)));
    int ok = 0;
    for (auto& h : readers) {
      auto r = co_await h;
      if (r && *r) ++ok;
    }
    EXPECT_EQ(ok, 24);
  }(dir_));
}

TEST_P(FsFile, SmallBufferStreamsManyJobsInOrder) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto want = pattern(300001, 9);
    auto f = co_await fs::file::create(dir / "s.bin");
    KYOTO_CO_ASSERT(f);
    f->set_max_buf_size(4096);
    KYOTO_CO_ASSERT(co_await io::write_all(*f, std::span<const std::byte>(want)));
    KYOTO_CO_ASSERT(co_await io::flush(*f));
    auto g = co_await fs::file::open(dir / "s.bin");
    KYOTO_CO_ASSERT(g);
    g->set_max_buf_size(1000);
    std::vector<std::byte> got;
    KYOTO_CO_ASSERT(co_await io::read_to_end(*g, got));
    EXPECT_TRUE(got == want);
  }(dir_));
}

TEST_P(FsFile, SeekFromStartCurrentAndEnd) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "d", "0123456789"));
    auto f = co_await fs::file::open(dir / "d");
    KYOTO_CO_ASSERT(f);
    auto pos = co_await f->seek(io::seek_from::start(3));
    KYOTO_CO_ASSERT(pos);
    EXPECT_EQ(*pos, 3u);
    EXPECT_EQ(co_await read_n(*f, 2), "34");  // the read fetched the rest: read-ahead
    pos = co_await f->seek(io::seek_from::current(2));
    KYOTO_CO_ASSERT(pos);
    EXPECT_EQ(*pos, 7u);  // relative to the logical position, not the descriptor's
    EXPECT_EQ(co_await read_n(*f, 1), "7");
    pos = co_await f->seek(io::seek_from::end(-1));
    KYOTO_CO_ASSERT(pos);
    EXPECT_EQ(*pos, 9u);
    EXPECT_EQ(co_await read_n(*f, 1), "9");
    pos = co_await f->seek(io::seek_from::current(-10));
    KYOTO_CO_ASSERT(pos);
    EXPECT_EQ(*pos, 0u);
    EXPECT_EQ(co_await read_n(*f, 3), "012");
    auto bad = co_await f->seek(io::seek_from::current(-100));
    KYOTO_CO_ASSERT(!bad);
    EXPECT_EQ(bad.error(), std::errc::invalid_argument);
  }(dir_));
}

TEST_P(FsFile, SetLenTruncatesAndExtendsWithZerosKeepingThePosition) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto f = co_await fs::open_options().read(true).write(true).create(true).open(dir / "l");
    KYOTO_CO_ASSERT(f);
    KYOTO_CO_ASSERT(co_await io::write_all(*f, "0123456789"));
    KYOTO_CO_ASSERT(co_await f->set_len(4));
    auto m = co_await f->metadata();
    KYOTO_CO_ASSERT(m);
    EXPECT_EQ(m->len(), 4u);
    KYOTO_CO_ASSERT(co_await f->set_len(8));
    auto pos = co_await f->seek(io::seek_from::current(0));
    KYOTO_CO_ASSERT(pos);
    EXPECT_EQ(*pos, 10u);
    auto all = co_await fs::read_to_string(dir / "l");
    KYOTO_CO_ASSERT(all);
    EXPECT_EQ(*all, std::string("0123\0\0\0\0", 8));
  }(dir_));
}

TEST_P(FsFile, WriteAfterReadAheadWritesAtTheLogicalPosition) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "w", "0123456789"));
    auto f = co_await fs::open_options().read(true).write(true).open(dir / "w");
    KYOTO_CO_ASSERT(f);
    EXPECT_EQ(co_await read_n(*f, 2), "01");
    KYOTO_CO_ASSERT(co_await io::write_all(*f, "XY"));
    KYOTO_CO_ASSERT(co_await io::flush(*f));
    EXPECT_EQ(co_await read_n(*f, 2), "45");
    auto all = co_await fs::read_to_string(dir / "w");
    KYOTO_CO_ASSERT(all);
    EXPECT_EQ(*all, "01XY456789");
  }(dir_));
}

TEST_P(FsFile, ADroppedPendingReadLeavesTheFileConsistent) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "c", "abcdef"));
    auto f = co_await fs::file::open(dir / "c");
    KYOTO_CO_ASSERT(f);
    bool ready;
    {
      std::array<std::byte, 3> buf{};
      auto rd = io::read(*f, buf);
      ready = co_await poll_once(rd);  // pending (a job started) unless the pool beat us
    }
    // A pending read that was dropped consumed nothing: its bytes come next.
    EXPECT_EQ(co_await read_n(*f, 3), ready ? "def" : "abc");
    {
      auto sk = f->seek(io::seek_from::start(1));
      (void)co_await poll_once(sk);  // a dropped seek still takes effect
    }
    EXPECT_EQ(co_await read_n(*f, 2), "bc");
  }(dir_));
}

TEST_P(FsFile, FlushReportsAFailedWriteAndItsCode) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto f = co_await fs::open_options().write(true).open("/dev/full");
    KYOTO_CO_ASSERT(f);
    auto w = co_await io::write_all(*f, "never fits");  // buffered: the job fails later
    KYOTO_CO_ASSERT(w);
    auto fl = co_await io::flush(*f);
    KYOTO_CO_ASSERT(!fl);
    EXPECT_EQ(fl.error(), std::errc::no_space_on_device);
    auto again = co_await io::flush(*f);
    EXPECT_TRUE(again);  // reported once
  }());
}

TEST_P(FsFile, TheNextWriteReportsAFailedWrite) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto f = co_await fs::open_options().write(true).open("/dev/full");
    KYOTO_CO_ASSERT(f);
    KYOTO_CO_ASSERT(co_await io::write_all(*f, "a"));
    auto w = co_await io::write_all(*f, "b");
    KYOTO_CO_ASSERT(!w);
    EXPECT_EQ(w.error(), std::errc::no_space_on_device);
    auto s = co_await f->sync_all();  // nothing pending any more
    (void)s;
  }());
}

TEST_P(FsFile, FromStdAndIntoStdKeepTheLogicalPosition) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "s", "0123456789"));
    int raw = ::open((dir / "s").c_str(), O_RDONLY | O_CLOEXEC);
    KYOTO_CO_ASSERT(raw >= 0);
    auto f = fs::file::from_std(raw);
    KYOTO_CO_ASSERT(f);
    EXPECT_EQ(f->fd(), raw);
    EXPECT_EQ(co_await read_n(*f, 3), "012");
    auto back = co_await f->into_std();
    KYOTO_CO_ASSERT(back);
    EXPECT_FALSE(f->is_open());
    EXPECT_EQ(::lseek(*back, 0, SEEK_CUR), 3);
    char c = 0;
    EXPECT_EQ(::read(*back, &c, 1), 1);
    EXPECT_EQ(c, '3');
    ::close(*back);
    auto none = fs::file::from_std(-1);
    EXPECT_FALSE(none);
  }(dir_));
}

TEST_P(FsFile, MetadataPermissionsSyncAndTryClone) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto f = co_await fs::file::create(dir / "m");
    KYOTO_CO_ASSERT(f);
    KYOTO_CO_ASSERT(co_await io::write_all(*f, "12345"));
    KYOTO_CO_ASSERT(co_await f->sync_all());
    KYOTO_CO_ASSERT(co_await f->sync_data());
    auto m = co_await f->metadata();
    KYOTO_CO_ASSERT(m);
    EXPECT_TRUE(m->is_file());
    EXPECT_EQ(m->len(), 5u);
    KYOTO_CO_ASSERT(co_await f->set_permissions(fs::permissions::from_mode(0600)));
    auto pm = co_await fs::metadata(dir / "m");
    KYOTO_CO_ASSERT(pm);
    EXPECT_EQ(pm->permissions().mode(), 0600u);
    auto g = co_await f->try_clone();
    KYOTO_CO_ASSERT(g);
    EXPECT_NE(g->fd(), f->fd());
    KYOTO_CO_ASSERT(co_await io::write_all(*g, "67"));  // shares the position
    KYOTO_CO_ASSERT(co_await io::flush(*g));
    auto all = co_await fs::read_to_string(dir / "m");
    KYOTO_CO_ASSERT(all);
    EXPECT_EQ(*all, "1234567");
  }(dir_));
}

TEST_P(FsFile, AnEmptyFileIsBadFileDescriptor) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    fs::file f;
    std::array<std::byte, 4> buf{};
    auto r = co_await io::read(f, buf);
    KYOTO_CO_ASSERT(!r);
    EXPECT_EQ(r.error(), std::errc::bad_file_descriptor);
    auto s = co_await f.seek(io::seek_from::start(0));
    EXPECT_FALSE(s);
  }());
}

TEST_P(FsFile, DroppingABusyFileFinishesItsWrite) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto want = pattern(std::size_t{1} << 20, 3);
    {
      auto f = co_await fs::file::create(dir / "late");
      KYOTO_CO_ASSERT(f);
      KYOTO_CO_ASSERT(co_await io::write_all(*f, std::span<const std::byte>(want)));
    }  // dropped with the last write in flight
    for (int i = 0; i < 200; ++i) {
      auto got = co_await fs::read(dir / "late");
      KYOTO_CO_ASSERT(got);
      if (*got == want) co_return;
      co_await kyoto::sleep(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "the dropped file's write never completed";
  }(dir_));
}

TEST_P(FsFile, ReadSizeHintIsWhatIsLeftUntilAWriteOrSeek) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto want = pattern(100000, 4);
    KYOTO_CO_ASSERT(co_await fs::write(dir / "h", std::span<const std::byte>(want)));
    auto f = co_await fs::file::options().read(true).write(true).open(dir / "h");
    KYOTO_CO_ASSERT(f);
    EXPECT_EQ(f->read_size_hint(), std::optional<std::size_t>(100000));
    std::array<std::byte, 1000> buf{};
    KYOTO_CO_ASSERT(co_await io::read_exact(*f, buf));
    EXPECT_EQ(f->read_size_hint(), std::optional<std::size_t>(99000));
    KYOTO_CO_ASSERT(co_await f->seek(io::seek_from::start(10)));
    EXPECT_EQ(f->read_size_hint(), std::nullopt);
    auto g = co_await fs::file::open(dir / "h");
    KYOTO_CO_ASSERT(g);
    KYOTO_CO_ASSERT(co_await io::write_all(*f, "x"));
    EXPECT_EQ(f->read_size_hint(), std::nullopt);
    EXPECT_TRUE(g->read_size_hint().has_value());
    auto d = co_await fs::file::open(dir);  // a directory: no size to trust
    if (d) {
      EXPECT_EQ(d->read_size_hint(), std::nullopt);
    }
    fs::file none;
    EXPECT_EQ(none.read_size_hint(), std::nullopt);
  }(dir_));
}

// read_to_end trusts the size at open only as a hint: a file that grew or
// shrank after it was opened is still read exactly to its end.
TEST_P(FsFile, ReadToEndOfAFileThatChangedAfterOpen) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    for (std::size_t size :
         {std::size_t{0}, std::size_t{1}, std::size_t{5000}, std::size_t{3} << 20}) {
      auto p = dir / ("c" + std::to_string(size));
      auto want = pattern(size, 6);
      KYOTO_CO_ASSERT(co_await fs::write(p, std::span<const std::byte>(want)));
      {  // exactly the hinted size, after bytes already in the vector
        auto f = co_await fs::file::open(p);
        KYOTO_CO_ASSERT(f);
        std::vector<std::byte> got(3, std::byte{7});
        auto n = co_await io::read_to_end(*f, got);
        KYOTO_CO_ASSERT(n);
        EXPECT_EQ(*n, size);
        EXPECT_EQ(got.size(), size + 3);
        EXPECT_TRUE(std::equal(want.begin(), want.end(), got.begin() + 3));
      }
      {  // grown after open
        auto f = co_await fs::file::open(p);
        KYOTO_CO_ASSERT(f);
        auto more = pattern(size + 70000, 8);
        KYOTO_CO_ASSERT(co_await fs::write(p, std::span<const std::byte>(more)));
        std::vector<std::byte> got;
        KYOTO_CO_ASSERT(co_await io::read_to_end(*f, got));
        EXPECT_TRUE(got == more);
      }
      {  // shrunk after open
        auto f = co_await fs::file::open(p);
        KYOTO_CO_ASSERT(f);
        auto less = pattern(size / 2, 9);
        KYOTO_CO_ASSERT(co_await fs::write(p, std::span<const std::byte>(less)));
        std::string got;
        KYOTO_CO_ASSERT(co_await io::read_to_string(*f, got));
        EXPECT_EQ(got.size(), less.size());
        // std::equal, not memcmp: an empty vector's data() may be null.
        EXPECT_TRUE(std::equal(less.begin(), less.end(), got.begin(), got.end(),
                               [](std::byte a, char b) { return a == static_cast<std::byte>(b); }));
      }
    }
  }(dir_));
}

// poll_read_into_vec once to completion (a hand-written future around it).
struct read_into_vec_once {
  using output_type = io::result<void>;
  fs::file* f;
  std::vector<std::byte>* out;
  std::size_t n;
  read_into_vec_once(fs::file& fl, std::vector<std::byte>& o, std::size_t k) noexcept
      : f(&fl), out(&o), n(k) {}
  poll_result<output_type> poll(context& cx) { return f->poll_read_into_vec(cx, *out, n); }
};

TEST_P(FsFile, PollReadIntoVecReadsPastMaxBufInOneCall) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto want = pattern(300001, 3);
    KYOTO_CO_ASSERT(co_await fs::write(dir / "v.bin", std::span<const std::byte>(want)));
    auto f = co_await fs::file::open(dir / "v.bin");
    KYOTO_CO_ASSERT(f);
    f->set_max_buf_size(4096);  // a poll_read would give at most this much
    std::vector<std::byte> got;
    KYOTO_CO_ASSERT(co_await read_into_vec_once(*f, got, want.size()));
    EXPECT_TRUE(got == want);
    EXPECT_EQ(f->read_size_hint(), std::optional<std::size_t>(0));
    std::vector<std::byte> rest;
    KYOTO_CO_ASSERT(co_await read_into_vec_once(*f, rest, 100));
    EXPECT_TRUE(rest.empty());  // the end
  }(dir_));
}

TEST_P(FsFile, PollReadIntoVecAppendsBufferedBytesAfterWhatTheVectorHeld) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto want = pattern(100000, 4);
    KYOTO_CO_ASSERT(co_await fs::write(dir / "b.bin", std::span<const std::byte>(want)));
    auto f = co_await fs::file::open(dir / "b.bin");
    KYOTO_CO_ASSERT(f);
    auto head = co_await read_n(*f, 10);  // the file reads ahead of these
    EXPECT_EQ(head.size(), 10u);
    std::vector<std::byte> got{std::byte{0xee}};
    KYOTO_CO_ASSERT(co_await read_into_vec_once(*f, got, want.size()));
    KYOTO_CO_ASSERT(got.size() > 1);
    EXPECT_EQ(got[0], std::byte{0xee});
    EXPECT_TRUE(std::equal(got.begin() + 1, got.end(), want.begin() + 10));
    std::vector<std::byte> rest;  // read_to_end takes the rest from there
    auto n = co_await io::read_to_end(*f, rest);
    KYOTO_CO_ASSERT(n);
    EXPECT_EQ(10 + (got.size() - 1) + rest.size(), want.size());
    EXPECT_TRUE(std::equal(rest.begin(), rest.end(), want.begin() + 10 + (got.size() - 1)));
  }(dir_));
}

// A read_to_end dropped after its first poll (its one-job read in flight,
// or done and the end probe in flight, as the threads' timing has it)
// loses nothing: what it appended stays in its vector, the rest stays with
// the file for the next read_to_end.
TEST_P(FsFile, ReadToEndDroppedAfterItsFirstPollLosesNothing) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto want = pattern(std::size_t{3} << 20, 7);
    KYOTO_CO_ASSERT(co_await fs::write(dir / "d.bin", std::span<const std::byte>(want)));
    auto f = co_await fs::file::open(dir / "d.bin");
    KYOTO_CO_ASSERT(f);
    std::vector<std::byte> got;
    // Mostly the ready branch wins and the read is dropped; a read done
    // within that first poll (a slow thread) may win, and must be whole.
    auto won = co_await select(io::read_to_end(*f, got), ready_future<int>(1));
    if (won.index() == 0) {
      EXPECT_EQ(std::get<0>(won).value(), want.size());
    }
    std::vector<std::byte> again;
    auto n = co_await io::read_to_end(*f, again);
    KYOTO_CO_ASSERT(n);
    EXPECT_EQ(got.size() + *n, want.size());
    got.insert(got.end(), again.begin(), again.end());
    EXPECT_TRUE(got == want);
  }(dir_));
}

}  // namespace
