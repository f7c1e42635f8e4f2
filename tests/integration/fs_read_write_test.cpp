#include <gtest/gtest.h>

#include "fs_fixture.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

class FsReadWrite : public fs_test {};
KYOTO_EVERY_FLAVOR(FsReadWrite);

constexpr std::size_t sizes[] = {
    0, 1, 4095, 4096, 65537, (std::size_t{2} << 20) + 3, std::size_t{64} << 20};

TEST_P(FsReadWrite, WriteThenReadFromZeroBytesToSixtyFourMebibytes) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    for (std::size_t n : sizes) {
      auto want = pattern(n, static_cast<unsigned>(n));
      auto p = dir / ("f" + std::to_string(n));
      KYOTO_CO_ASSERT(co_await fs::write(p, std::span<const std::byte>(want)));
      auto got = co_await fs::read(p);
      KYOTO_CO_ASSERT(got);
      EXPECT_EQ(got->size(), n);
      EXPECT_TRUE(*got == want) << "content differs at size " << n;
    }
  }(dir_));
}

TEST_P(FsReadWrite, FileWriteAllThenReadToEndFromZeroBytesToSixtyFourMebibytes) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    for (std::size_t n : sizes) {
      auto want = pattern(n, 7);
      auto p = dir / ("g" + std::to_string(n));
      {
        auto f = co_await fs::file::create(p);
        KYOTO_CO_ASSERT(f);
        KYOTO_CO_ASSERT(co_await io::write_all(*f, std::span<const std::byte>(want)));
        KYOTO_CO_ASSERT(co_await io::flush(*f));
      }
      auto f = co_await fs::file::open(p);
      KYOTO_CO_ASSERT(f);
      std::vector<std::byte> got;
      auto r = co_await io::read_to_end(*f, got);
      KYOTO_CO_ASSERT(r);
      EXPECT_EQ(*r, n);
      EXPECT_TRUE(got == want) << "content differs at size " << n;
    }
  }(dir_));
}

TEST_P(FsReadWrite, ReadToStringAndStringWrites) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "a.txt", "hello\n"));
    std::string moved = "moved text";
    KYOTO_CO_ASSERT(co_await fs::write(dir / "b.txt", std::move(moved)));
    std::vector<std::byte> bytes = pattern(100);
    KYOTO_CO_ASSERT(co_await fs::write(dir / "c.bin", std::move(bytes)));
    auto a = co_await fs::read_to_string(dir / "a.txt");
    auto b = co_await fs::read_to_string(dir / "b.txt");
    auto c = co_await fs::read(dir / "c.bin");
    KYOTO_CO_ASSERT(a && b && c);
    EXPECT_EQ(*a, "hello\n");
    EXPECT_EQ(*b, "moved text");
    EXPECT_TRUE(*c == pattern(100));
  }(dir_));
}

TEST_P(FsReadWrite, WriteReplacesAnExistingFile) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "a", "a long first version"));
    KYOTO_CO_ASSERT(co_await fs::write(dir / "a", "short"));
    auto a = co_await fs::read_to_string(dir / "a");
    KYOTO_CO_ASSERT(a);
    EXPECT_EQ(*a, "short");
  }(dir_));
}

TEST_P(FsReadWrite, ReadOfAProcFileWhoseSizeSaysZero) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto s = co_await fs::read_to_string("/proc/self/status");
    KYOTO_CO_ASSERT(s);
    EXPECT_NE(s->find("Name:"), std::string::npos);
  }());
}

}  // namespace
