// fs::permissions: a file's mode bits (Rust's Permissions with its Unix
// extension).
//   auto m = co_await kyoto::fs::metadata(p);
//   auto perms = m->permissions();
//   perms.set_readonly(true);
//   co_await kyoto::fs::set_permissions(p, perms);
#pragma once

#include <cstdint>

namespace kyoto::fs {

class permissions {
 public:
  constexpr permissions() noexcept = default;
  /// The permission bits of a mode (07777 of st_mode).
  static constexpr permissions from_mode(std::uint32_t mode) noexcept {
    return permissions(mode & 07777);
  }

  constexpr std::uint32_t mode() const noexcept { return mode_; }
  constexpr void set_mode(std::uint32_t mode) noexcept { mode_ = mode & 07777; }
  /// No write bit at all (for anyone).
  constexpr bool readonly() const noexcept { return (mode_ & 0222) == 0; }
  /// Clears every write bit, or sets them all (as Rust does).
  constexpr void set_readonly(bool ro) noexcept {
    if (ro) {
      mode_ &= ~std::uint32_t{0222};
    } else {
      mode_ |= 0222;
    }
  }
  friend constexpr bool operator==(permissions, permissions) noexcept = default;

 private:
  constexpr explicit permissions(std::uint32_t m) noexcept : mode_(m) {}
  std::uint32_t mode_ = 0;
};

}  // namespace kyoto::fs
