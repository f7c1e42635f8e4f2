#include "fs/error.hpp"

#include <cstring>
#include <memory>
#include <set>
#include <string>

#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::fs::detail {
namespace {

class path_category final : public std::error_category {
 public:
  explicit path_category(std::string what) : what_(std::move(what)) {}
  const char* name() const noexcept override { return "kyoto.fs"; }
  std::string message(int e) const override {
    return "kyoto::fs: " + what_ + ": " + std::strerror(e);
  }
  std::error_condition default_error_condition(int e) const noexcept override {
    return std::generic_category().default_error_condition(e);
  }
  const std::string& what() const noexcept { return what_; }

 private:
  std::string what_;
};

struct by_text {
  using is_transparent = void;
  bool operator()(const std::unique_ptr<path_category>& a,
                  const std::unique_ptr<path_category>& b) const {
    return a->what() < b->what();
  }
  bool operator()(const std::unique_ptr<path_category>& a, const std::string& b) const {
    return a->what() < b;
  }
  bool operator()(const std::string& a, const std::unique_ptr<path_category>& b) const {
    return a < b->what();
  }
};

std::error_code interned(int err, std::string what) {
  static kyoto::detail::mutex lock;
  static std::set<std::unique_ptr<path_category>, by_text> texts;  // guarded by lock
  kyoto::detail::lock_guard guard(lock);
  auto it = texts.find(what);
  if (it == texts.end()) {
    if (texts.size() >= max_interned) return os_error(err);
    it = texts.insert(std::make_unique<path_category>(std::move(what))).first;
  }
  return std::error_code(err, **it);
}

}  // namespace

std::error_code os_error(int err) noexcept { return std::error_code(err, std::system_category()); }

std::error_code path_error(int err, const char* op, const std::filesystem::path& p) {
  return interned(err, std::string(op) + " '" + p.string() + "'");
}

std::error_code path_error(int err, const char* op, const std::filesystem::path& from,
                           const std::filesystem::path& to) {
  return interned(err, std::string(op) + " '" + from.string() + "' to '" + to.string() + "'");
}

}  // namespace kyoto::fs::detail
