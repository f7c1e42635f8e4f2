#include <gtest/gtest.h>
#include <sys/stat.h>

#include "fs_fixture.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

class FsOpenOptions : public fs_test {};
KYOTO_EVERY_FLAVOR(FsOpenOptions);

TEST_P(FsOpenOptions, CreateNewOnAnExistingFileFailsWithFileExists) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "x", "old"));
    auto f = co_await fs::open_options().write(true).create_new(true).open(dir / "x");
    KYOTO_CO_ASSERT(!f);
    EXPECT_EQ(f.error(), std::errc::file_exists);
    EXPECT_EQ(f.error().value(), EEXIST);
    EXPECT_NE(f.error().message().find((dir / "x").string()), std::string::npos)
        << f.error().message();
    auto g = co_await fs::file::create_new(dir / "x");
    EXPECT_FALSE(g);
    auto h = co_await fs::file::create_new(dir / "y");
    EXPECT_TRUE(h);
  }(dir_));
}

TEST_P(FsOpenOptions, AppendAppends) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "log", "one\n"));
    for (const char* line : {"two\n", "three\n"}) {
      auto f = co_await fs::open_options().append(true).open(dir / "log");
      KYOTO_CO_ASSERT(f);
      KYOTO_CO_ASSERT(co_await io::write_all(*f, line));
      KYOTO_CO_ASSERT(co_await io::flush(*f));
    }
    auto all = co_await fs::read_to_string(dir / "log");
    KYOTO_CO_ASSERT(all);
    EXPECT_EQ(*all, "one\ntwo\nthree\n");
  }(dir_));
}

TEST_P(FsOpenOptions, TruncateEmptiesAndWithoutItWritesOverwriteInPlace) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "t", "0123456789"));
    {
      auto f = co_await fs::open_options().write(true).open(dir / "t");
      KYOTO_CO_ASSERT(f);
      KYOTO_CO_ASSERT(co_await io::write_all(*f, "ab"));
      KYOTO_CO_ASSERT(co_await io::flush(*f));
    }
    auto kept = co_await fs::read_to_string(dir / "t");
    KYOTO_CO_ASSERT(kept);
    EXPECT_EQ(*kept, "ab23456789");
    {
      auto f = co_await fs::open_options().write(true).truncate(true).open(dir / "t");
      KYOTO_CO_ASSERT(f);
      KYOTO_CO_ASSERT(co_await io::write_all(*f, "z"));
      KYOTO_CO_ASSERT(co_await io::flush(*f));
    }
    auto cut = co_await fs::read_to_string(dir / "t");
    KYOTO_CO_ASSERT(cut);
    EXPECT_EQ(*cut, "z");
  }(dir_));
}

TEST_P(FsOpenOptions, CreateMakesAMissingFileWithTheMode) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto missing = co_await fs::open_options().write(true).open(dir / "n");
    KYOTO_CO_ASSERT(!missing);
    EXPECT_EQ(missing.error(), std::errc::no_such_file_or_directory);
    ::mode_t old = ::umask(022);
    auto f = co_await fs::open_options().write(true).create(true).mode(0640).open(dir / "n");
    ::umask(old);
    KYOTO_CO_ASSERT(f);
    auto m = co_await f->metadata();
    KYOTO_CO_ASSERT(m);
    EXPECT_EQ(m->permissions().mode(), 0640u);
  }(dir_));
}

TEST_P(FsOpenOptions, InvalidCombinationsAreInvalidArgument) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto p = dir / "i";
    auto none = co_await fs::open_options().open(p);
    auto trunc_ro = co_await fs::open_options().read(true).truncate(true).open(p);
    auto create_ro = co_await fs::open_options().read(true).create(true).open(p);
    auto append_trunc = co_await fs::open_options().append(true).truncate(true).open(p);
    for (auto* r : {&none, &trunc_ro, &create_ro, &append_trunc}) {
      KYOTO_CO_ASSERT(!*r);
      EXPECT_EQ(r->error(), std::errc::invalid_argument);
    }
    auto exists = co_await fs::try_exists(p);
    KYOTO_CO_ASSERT(exists);
    EXPECT_FALSE(*exists);
  }(dir_));
}

TEST_P(FsOpenOptions, ReadWriteOpensBoth) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto f = co_await fs::file::options().read(true).write(true).create(true).open(dir / "rw");
    KYOTO_CO_ASSERT(f);
    KYOTO_CO_ASSERT(co_await io::write_all(*f, "hello"));
    KYOTO_CO_ASSERT(co_await f->seek(io::seek_from::start(1)));
    std::string got;
    KYOTO_CO_ASSERT(co_await io::read_to_string(*f, got));
    EXPECT_EQ(got, "ello");
  }(dir_));
}

}  // namespace
