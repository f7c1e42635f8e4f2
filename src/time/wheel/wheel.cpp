#include "time/wheel/wheel.hpp"

namespace kyoto::detail {

void timer_wheel::insert(timer_entry& e) noexcept {
  std::uint64_t when = e.deadline_ms;
  if (when > max_deadline) when = max_deadline;
  if (when < elapsed_) when = elapsed_;
  unsigned l = level_for(elapsed_, when);
  unsigned s = slot_for(when, l);
  e.level = static_cast<std::uint8_t>(l);
  e.slot = static_cast<std::uint8_t>(s);
  levels_[l].slot[s].push_back(&e);
  levels_[l].occupied |= std::uint64_t{1} << s;
  e.registered = true;
  ++size_;
}

void timer_wheel::remove(timer_entry& e) noexcept {
  if (!e.registered) return;
  intrusive_list& list = levels_[e.level].slot[e.slot];
  list.remove(&e);
  if (list.empty()) levels_[e.level].occupied &= ~(std::uint64_t{1} << e.slot);
  e.registered = false;
  --size_;
}

std::optional<std::uint64_t> timer_wheel::level_next(unsigned l) const noexcept {
  std::uint64_t occupied = levels_[l].occupied;
  if (!occupied) return std::nullopt;
  const unsigned shift = 6 * l;
  const std::uint64_t slot_range = std::uint64_t{1} << shift;
  const std::uint64_t level_range = slot_range * slots;
  const unsigned now_slot = static_cast<unsigned>((elapsed_ >> shift) & (slots - 1));
  // Rotate so that bit 0 is the current slot; the first set bit is the
  // number of slots ahead.
  std::uint64_t rotated = (occupied >> now_slot) | (now_slot ? occupied << (64 - now_slot) : 0);
  unsigned ahead = static_cast<unsigned>(__builtin_ctzll(rotated));
  std::uint64_t level_start = elapsed_ & ~(level_range - 1);
  std::uint64_t slot_index = now_slot + ahead;
  std::uint64_t t = level_start + slot_index * slot_range;
  // A slot of a higher level is entered at its start; the current slot of
  // a higher level expires "now" (its entries cascade).
  if (t < elapsed_) t = elapsed_;
  return t;
}

}  // namespace kyoto::detail

namespace kyoto::detail {

std::optional<std::uint64_t> timer_wheel::next_expiration() const noexcept {
  std::optional<std::uint64_t> best;
  for (unsigned l = 0; l < levels; ++l) {
    auto t = level_next(l);
    if (t && (!best || *t < *best)) best = t;
  }
  return best;
}

}  // namespace kyoto::detail
