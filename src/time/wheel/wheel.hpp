// A hierarchical timing wheel: 6 levels of 64 slots, 1 ms per level-0 slot.
//
// Level L slots are 64^L ms wide; level 5 spans 64^6 ms (about 2,179
// years; later deadlines are clamped to it and fire at its end). An entry goes to the level
// given by the highest 6-bit group in which its deadline differs from the
// wheel's `elapsed` position, and to the slot given by that group of its
// deadline. Arming and cancelling are O(1): an intrusive list push/unlink
// and a bit in the level's occupancy mask. Advancing takes the earliest
// occupied slot; entries of a higher level whose deadline is not yet due
// cascade down to a lower level.
// Not synchronised: the time driver holds its lock around every call.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "kyoto/detail/intrusive_list.hpp"
#include "kyoto/detail/time/timer_entry.hpp"

namespace kyoto::detail {

class timer_wheel {
 public:
  static constexpr unsigned levels = 6;
  static constexpr unsigned slots = 64;
  static constexpr std::uint64_t max_deadline = (std::uint64_t{1} << (6 * levels)) - 1;

  std::uint64_t elapsed() const noexcept { return elapsed_; }
  std::size_t size() const noexcept { return size_; }

  /// Deadlines at or before elapsed() must be fired by the caller instead.
  void insert(timer_entry& e) noexcept;
  void remove(timer_entry& e) noexcept;

  /// The earliest tick at which some slot expires, if any entry exists.
  std::optional<std::uint64_t> next_expiration() const noexcept;

  /// Advances to `now`, calling fire(entry) (already unlinked) for every
  /// entry whose deadline is <= now. When fire returns false, that entry
  /// and the rest of its slot are put back and advance stops (call again).
  template <class Fire>
  void advance(std::uint64_t now, Fire&& fire);

 private:
  struct level_state {
    std::uint64_t occupied = 0;
    std::array<intrusive_list, slots> slot;
  };
  static unsigned level_for(std::uint64_t elapsed, std::uint64_t when) noexcept {
    std::uint64_t masked = (elapsed ^ when) | (slots - 1);
    if (masked > max_deadline) masked = max_deadline;
    unsigned significant = 63u - static_cast<unsigned>(__builtin_clzll(masked));
    return significant / 6;
  }
  static unsigned slot_for(std::uint64_t when, unsigned level) noexcept {
    return static_cast<unsigned>((when >> (6 * level)) & (slots - 1));
  }
  /// The tick at which slot `s` of level `l` next expires, seen from elapsed_.
  std::optional<std::uint64_t> level_next(unsigned l) const noexcept;

  std::array<level_state, levels> levels_{};
  std::uint64_t elapsed_ = 0;
  std::size_t size_ = 0;
};

template <class Fire>
void timer_wheel::advance(std::uint64_t now, Fire&& fire) {
  if (now > max_deadline) now = max_deadline;
  for (;;) {
    // Find the earliest expiring slot at or before now.
    std::optional<std::uint64_t> best;
    unsigned best_level = 0;
    for (unsigned l = 0; l < levels; ++l) {
      auto t = level_next(l);
      if (t && (!best || *t < *best)) {
        best = t;
        best_level = l;
      }
    }
    if (!best || *best > now) break;
    elapsed_ = *best;
    unsigned s = slot_for(*best, best_level);
    intrusive_list& list = levels_[best_level].slot[s];
    levels_[best_level].occupied &= ~(std::uint64_t{1} << s);
    // Take the whole slot; due entries fire, the others cascade down.
    intrusive_list taken;
    while (list_node* n = list.pop_front()) taken.push_back(n);
    while (list_node* n = taken.pop_front()) {
      auto& e = static_cast<timer_entry&>(*n);
      --size_;
      e.registered = false;
      // Fire only what is due at this slot's time; the rest cascades to a
      // lower level, so entries fire in deadline order even across a long
      // jump. (Deadlines past the wheel's span were clamped to its end.)
      if (std::min(e.deadline_ms, max_deadline) > elapsed_) {
        insert(e);
      } else if (!fire(e)) {
        insert(e);
        while (list_node* rest = taken.pop_front()) {
          --size_;
          insert(static_cast<timer_entry&>(*rest));
        }
        return;
      }
    }
  }
  if (now > elapsed_) elapsed_ = now;
}

}  // namespace kyoto::detail
