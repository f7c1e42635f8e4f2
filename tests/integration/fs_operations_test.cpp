#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs_fixture.hpp"

using namespace kyoto;
using namespace kyoto::test;

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
// AnUnreadableFileIsPermissionDenied forks and its child starts the
// runtime's threads; TSan kills such a child (exit 66) unless told that
// threads after a fork are expected. The child only runs kyoto code and
// exits, so TSan's own state in it stays usable.
extern "C" const char* __tsan_default_options() { return "die_after_fork=0"; }
#endif
#endif

namespace {

class FsOperations : public fs_test {};
KYOTO_EVERY_FLAVOR(FsOperations);

TEST_P(FsOperations, CopyCopiesContentsAndPermissions) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto want = pattern((std::size_t{5} << 20) + 11, 1);
    KYOTO_CO_ASSERT(co_await fs::write(dir / "src", std::span<const std::byte>(want)));
    KYOTO_CO_ASSERT(co_await fs::set_permissions(dir / "src", fs::permissions::from_mode(0640)));
    KYOTO_CO_ASSERT(co_await fs::write(dir / "dst", "a longer old destination than nothing"));
    auto n = co_await fs::copy(dir / "src", dir / "dst");
    KYOTO_CO_ASSERT(n);
    EXPECT_EQ(*n, want.size());
    auto got = co_await fs::read(dir / "dst");
    KYOTO_CO_ASSERT(got);
    EXPECT_TRUE(*got == want);
    auto m = co_await fs::metadata(dir / "dst");
    KYOTO_CO_ASSERT(m);
    EXPECT_EQ(m->permissions().mode(), 0640u);
    auto empty = co_await fs::copy("/dev/null", dir / "x");
    KYOTO_CO_ASSERT(!empty);
    EXPECT_EQ(empty.error(), std::errc::invalid_argument);  // not a regular file
  }(dir_));
}

TEST_P(FsOperations, CreateRenameRemove) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::create_dir(dir / "a"));
    auto again = co_await fs::create_dir(dir / "a");
    KYOTO_CO_ASSERT(!again);
    EXPECT_EQ(again.error(), std::errc::file_exists);
    KYOTO_CO_ASSERT(co_await fs::create_dir_all(dir / "a/b/c"));
    KYOTO_CO_ASSERT(co_await fs::create_dir_all(dir / "a/b/c"));  // already there: fine
    KYOTO_CO_ASSERT(co_await fs::write(dir / "a/b/c/f", "x"));
    auto not_empty = co_await fs::remove_dir(dir / "a");
    KYOTO_CO_ASSERT(!not_empty);
    EXPECT_EQ(not_empty.error(), std::errc::directory_not_empty);
    KYOTO_CO_ASSERT(co_await fs::rename(dir / "a/b/c/f", dir / "g"));
    auto moved = co_await fs::try_exists(dir / "g");
    KYOTO_CO_ASSERT(moved && *moved);
    KYOTO_CO_ASSERT(co_await fs::remove_dir(dir / "a/b/c"));
    KYOTO_CO_ASSERT(co_await fs::remove_dir_all(dir / "a"));
    auto gone = co_await fs::try_exists(dir / "a");
    KYOTO_CO_ASSERT(gone);
    EXPECT_FALSE(*gone);
    auto missing = co_await fs::remove_dir_all(dir / "a");
    KYOTO_CO_ASSERT(!missing);
    EXPECT_EQ(missing.error(), std::errc::no_such_file_or_directory);
    KYOTO_CO_ASSERT(co_await fs::remove_file(dir / "g"));
    auto twice = co_await fs::remove_file(dir / "g");
    KYOTO_CO_ASSERT(!twice);
    EXPECT_EQ(twice.error(), std::errc::no_such_file_or_directory);
  }(dir_));
}

TEST_P(FsOperations, LinksCanonicalizeAndMetadata) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "t", "target"));
    KYOTO_CO_ASSERT(co_await fs::hard_link(dir / "t", dir / "h"));
    KYOTO_CO_ASSERT(co_await fs::symlink("t", dir / "s"));
    auto m = co_await fs::metadata(dir / "s");
    auto lm = co_await fs::symlink_metadata(dir / "s");
    KYOTO_CO_ASSERT(m && lm);
    EXPECT_TRUE(m->is_file());
    EXPECT_EQ(m->nlink(), 2u);
    EXPECT_EQ(m->len(), 6u);
    EXPECT_FALSE(m->is_symlink());
    EXPECT_TRUE(lm->is_symlink());
    EXPECT_TRUE(m->modified());
    EXPECT_TRUE(m->accessed());
    fs::file_metadata copy = *m;  // the declaration spelling of fs::metadata
    EXPECT_EQ(copy.ino(), m->ino());
    auto target = co_await fs::read_link(dir / "s");
    KYOTO_CO_ASSERT(target);
    EXPECT_EQ(*target, std::filesystem::path("t"));
    auto canon = co_await fs::canonicalize(dir / "." / "s");
    KYOTO_CO_ASSERT(canon);
    EXPECT_EQ(*canon, std::filesystem::canonical(dir) / "t");
    auto not_link = co_await fs::read_link(dir / "t");
    KYOTO_CO_ASSERT(!not_link);
    EXPECT_EQ(not_link.error(), std::errc::invalid_argument);
  }(dir_));
}

TEST_P(FsOperations, PermissionsRoundTrip) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    KYOTO_CO_ASSERT(co_await fs::write(dir / "p", "x"));
    auto m = co_await fs::metadata(dir / "p");
    KYOTO_CO_ASSERT(m);
    auto perms = m->permissions();
    perms.set_readonly(true);
    EXPECT_TRUE(perms.readonly());
    KYOTO_CO_ASSERT(co_await fs::set_permissions(dir / "p", perms));
    auto after = co_await fs::metadata(dir / "p");
    KYOTO_CO_ASSERT(after);
    EXPECT_TRUE(after->permissions().readonly());
    EXPECT_EQ(after->permissions(), perms);
  }(dir_));
}

TEST_P(FsOperations, AMissingFileIsNotFoundWithThePathInTheMessage) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto p = dir / "missing.txt";
    auto r = co_await fs::read(p);
    KYOTO_CO_ASSERT(!r);
    EXPECT_EQ(r.error(), std::errc::no_such_file_or_directory);
    EXPECT_EQ(r.error().value(), ENOENT);
    EXPECT_NE(r.error().message().find(p.string()), std::string::npos) << r.error().message();
    auto f = co_await fs::file::open(p);
    KYOTO_CO_ASSERT(!f);
    EXPECT_EQ(f.error(), std::errc::no_such_file_or_directory);
    auto m = co_await fs::metadata(p);
    KYOTO_CO_ASSERT(!m);
    EXPECT_EQ(m.error(), std::errc::no_such_file_or_directory);
    auto c = co_await fs::copy(p, dir / "to");
    KYOTO_CO_ASSERT(!c);
    EXPECT_EQ(c.error(), std::errc::no_such_file_or_directory);
    auto rn = co_await fs::rename(p, dir / "to");
    KYOTO_CO_ASSERT(!rn);
    EXPECT_EQ(rn.error(), std::errc::no_such_file_or_directory);
  }(dir_));
}

TEST_P(FsOperations, ADirectoryIsIsADirectory) {
  auto rt = make();
  rt.block_on([](std::filesystem::path dir) -> task<void> {
    auto r = co_await fs::read(dir);
    KYOTO_CO_ASSERT(!r);
    EXPECT_EQ(r.error(), std::errc::is_a_directory);
    auto w = co_await fs::write(dir, "x");
    KYOTO_CO_ASSERT(!w);
    EXPECT_EQ(w.error(), std::errc::is_a_directory);
    auto f = co_await fs::file::create(dir);
    KYOTO_CO_ASSERT(!f);
    EXPECT_EQ(f.error(), std::errc::is_a_directory);
    auto g = co_await fs::file::open(dir);  // opening a directory to read works (as in Rust)...
    KYOTO_CO_ASSERT(g);
    std::vector<std::byte> out;
    auto rd = co_await io::read_to_end(*g, out);  // ...reading it does not
    KYOTO_CO_ASSERT(!rd);
    EXPECT_EQ(rd.error(), std::errc::is_a_directory);
    auto rm = co_await fs::remove_file(dir);
    EXPECT_FALSE(rm);
  }(dir_));
}

TEST_P(FsOperations, AFullDiskIsNoSpaceOnDevice) {
  auto rt = make();
  rt.block_on([]() -> task<void> {
    auto w = co_await fs::write("/dev/full", "data");
    KYOTO_CO_ASSERT(!w);
    EXPECT_EQ(w.error(), std::errc::no_space_on_device);
    EXPECT_NE(w.error().message().find("/dev/full"), std::string::npos) << w.error().message();
  }());
}

// Permission checks do not apply to root: the check runs in a child that
// drops to an unprivileged user first (nobody) when the tests run as root.
TEST_P(FsOperations, AnUnreadableFileIsPermissionDenied) {
  auto p = dir_ / "secret";
  ASSERT_EQ(::close(::open(p.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600)), 0);
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  auto flavor = GetParam();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(10);
    int code = 0;
    {
      auto rt = make_runtime(flavor);
      code = rt.block_on([](std::filesystem::path q) -> task<int> {
        auto r = co_await fs::read(q);
        if (r) co_return 1;
        if (r.error() != std::errc::permission_denied) co_return 2;
        if (r.error().message().find(q.string()) == std::string::npos) co_return 3;
        auto f = co_await fs::open_options().write(true).open(q);
        if (f || f.error() != std::errc::permission_denied) co_return 4;
        auto c = co_await fs::create_dir(q.parent_path() / "not-mine");
        if (c || c.error() != std::errc::permission_denied) co_return 5;
        co_return 0;
      }(p));
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "step that failed in the child: " << WEXITSTATUS(status);
}

TEST(FsOutsideRuntime, AnOperationOutsideARuntimeThrowsWhenAwaitedNotOnAWorker) {
  auto t = fs::metadata("/");
  EXPECT_THROW((void)kyoto::block_on(std::move(t)), std::runtime_error);
}

}  // namespace
