#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "fs_fixture.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

class FsReadDir : public fs_test {};
KYOTO_EVERY_FLAVOR(FsReadDir);

TEST_P(FsReadDir, ReadsTenThousandEntries) {
  static constexpr int n = 10000;
  for (int i = 0; i < n; ++i) {
    int fd =
        ::open((dir_ / ("e" + std::to_string(i))).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto rd = co_await fs::read_dir(dir);
    KYOTO_CO_ASSERT(rd);
    std::set<std::string> names;
    int files = 0;
    for (;;) {
      auto e = co_await rd->next_entry();
      KYOTO_CO_ASSERT(e);
      if (!*e) break;
      names.insert((*e)->file_name().string());
      EXPECT_EQ((*e)->path().parent_path(), dir);
      if ((*e)->file_type().is_file()) ++files;
    }
    EXPECT_EQ(names.size(), static_cast<std::size_t>(n));
    EXPECT_EQ(files, n);
    EXPECT_TRUE(names.count("e0") && names.count("e9999"));
    auto after = co_await rd->next_entry();  // the end stays the end
    KYOTO_CO_ASSERT(after);
    EXPECT_FALSE(*after);
  }(dir_));
}

TEST_P(FsReadDir, IsAStreamWithTypesAndMetadata) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::create_dir(dir / "sub"));
    KYOTO_CO_ASSERT(co_await fs::write(dir / "file", "abc"));
    KYOTO_CO_ASSERT(co_await fs::symlink(dir / "file", dir / "link"));
    auto rd = co_await fs::read_dir(dir);
    KYOTO_CO_ASSERT(rd);
    int seen = 0;
    while (auto item = co_await kyoto::next(*rd)) {
      KYOTO_CO_ASSERT(*item);
      auto& e = **item;
      auto name = e.file_name().string();
      auto m = co_await e.metadata();
      KYOTO_CO_ASSERT(m);
      if (name == "sub") {
        EXPECT_TRUE(e.file_type().is_dir());
        EXPECT_TRUE(m->is_dir());
      } else if (name == "file") {
        EXPECT_TRUE(e.file_type().is_file());
        EXPECT_EQ(m->len(), 3u);
      } else if (name == "link") {
        EXPECT_TRUE(e.file_type().is_symlink());
        EXPECT_TRUE(m->is_symlink());  // not followed
      } else {
        ADD_FAILURE() << "unexpected entry " << name;
      }
      ++seen;
    }
    EXPECT_EQ(seen, 3);
  }(dir_));
}

TEST_P(FsReadDir, AMissingOrNonDirectoryPathIsAnError) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto missing = co_await fs::read_dir(dir / "nope");
    KYOTO_CO_ASSERT(!missing);
    EXPECT_EQ(missing.error(), std::errc::no_such_file_or_directory);
    KYOTO_CO_ASSERT(co_await fs::write(dir / "f", "x"));
    auto file = co_await fs::read_dir(dir / "f");
    KYOTO_CO_ASSERT(!file);
    EXPECT_EQ(file.error(), std::errc::not_a_directory);
  }(dir_));
}

TEST_P(FsReadDir, ADroppedStreamClosesItsDirectory) {
  for (int i = 0; i < 300; ++i) {
    int fd =
        ::open((dir_ / ("d" + std::to_string(i))).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto rd = co_await fs::read_dir(dir);
    KYOTO_CO_ASSERT(rd);
    for (int i = 0; i < 200; ++i) {  // into the second batch: a job runs or ran
      auto e = co_await rd->next_entry();
      KYOTO_CO_ASSERT(e && *e);
    }
  }(dir_));
  // TearDown checks that no descriptor is left.
}

}  // namespace
