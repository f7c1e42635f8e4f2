// What the fs_*_test.cpp files share: a fresh temporary directory per
// test (removed after it), the fd-leak check, every runtime flavour, and
// a byte pattern whose every position is distinguishable.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "co_assert.hpp"
#include "fd_count.hpp"
#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

namespace kyoto::test {

class fs_test : public every_flavor {
 protected:
  void SetUp() override {
    baseline_ = open_fd_count();
    std::string tmpl = (std::filesystem::temp_directory_path() / "kyoto-fs-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    EXPECT_EQ(open_fd_count(), baseline_) << "leaked descriptors";
  }
  std::filesystem::path dir_;
  std::size_t baseline_ = 0;
};

inline std::vector<std::byte> pattern(std::size_t n, unsigned seed = 0) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<std::byte>((i * 131 + seed + i / 4093) & 0xff);
  return v;
}

inline std::string text_of(const std::vector<std::byte>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size());
}

/// Polls a future once with the task's context, then drops it: what a
/// select() that another branch wins does to it.
template <class F>
class poll_once {
 public:
  using output_type = bool;
  explicit poll_once(F& f) noexcept : f_(&f) {}
  poll_result<bool> poll(context& cx) { return f_->poll(cx).is_ready(); }

 private:
  F* f_;
};

}  // namespace kyoto::test
