// waker: a type-erased handle that tells an executor "poll this task again".
#pragma once

#include <utility>

namespace kyoto {

struct raw_waker;

/// The four operations behind a waker (Rust's RawWakerVTable). `wake`
/// consumes the reference held by the waker, `wake_by_ref` does not.
struct waker_vtable {
  raw_waker (*clone)(const void*);
  void (*wake)(const void*);
  void (*wake_by_ref)(const void*);
  void (*drop)(const void*);
};

/// A data pointer and the vtable that knows what it is (Rust's RawWaker).
struct raw_waker {
  const void* data;
  const waker_vtable* vtable;
};

namespace detail {
inline raw_waker noop_clone(const void*) noexcept;
inline void noop_wake(const void*) noexcept {}
inline constexpr waker_vtable noop_vtable{&noop_clone, &noop_wake, &noop_wake, &noop_wake};
inline raw_waker noop_clone(const void*) noexcept { return raw_waker{nullptr, &noop_vtable}; }
inline raw_waker noop_raw_waker() noexcept { return raw_waker{nullptr, &noop_vtable}; }
}  // namespace detail

/// Copying clones, destroying drops. A default-constructed or moved-from
/// waker is the no-op waker, so a waker is never null.
///   kyoto::waker w = cx.waker();   // keep it, then later: w.wake();
class waker {
 public:
  waker() noexcept : raw_(detail::noop_raw_waker()) {}
  waker(const waker& other) : raw_(other.raw_.vtable->clone(other.raw_.data)) {}
  waker(waker&& other) noexcept : raw_(std::exchange(other.raw_, detail::noop_raw_waker())) {}
  waker& operator=(const waker& other) {
    if (!will_wake(other)) {
      raw_waker fresh = other.raw_.vtable->clone(other.raw_.data);
      raw_.vtable->drop(raw_.data);
      raw_ = fresh;
    }
    return *this;
  }
  waker& operator=(waker&& other) noexcept {
    if (this != &other) {
      raw_.vtable->drop(raw_.data);
      raw_ = std::exchange(other.raw_, detail::noop_raw_waker());
    }
    return *this;
  }
  ~waker() { raw_.vtable->drop(raw_.data); }

  /// Takes ownership of a raw waker (its reference is dropped with this waker).
  static waker from_raw(raw_waker raw) noexcept { return waker(raw); }
  /// A waker that does nothing when woken.
  static waker noop() noexcept { return waker(); }

  /// Wakes the task and gives up this reference; the waker becomes no-op.
  void wake() {
    raw_waker r = std::exchange(raw_, detail::noop_raw_waker());
    r.vtable->wake(r.data);
  }
  /// Wakes the task and keeps this reference.
  void wake_by_ref() const { raw_.vtable->wake_by_ref(raw_.data); }

  /// True when both wake the same task (same data and vtable), so a stored
  /// waker need not be replaced by a clone.
  bool will_wake(const waker& other) const noexcept {
    return raw_.data == other.raw_.data && raw_.vtable == other.raw_.vtable;
  }

  const raw_waker& as_raw() const noexcept { return raw_; }
  /// Gives up ownership without dropping: the caller now holds the
  /// reference (or, for a borrowed waker, simply forgets it).
  raw_waker into_raw() && noexcept { return std::exchange(raw_, detail::noop_raw_waker()); }

 private:
  explicit waker(raw_waker raw) noexcept : raw_(raw) {}
  raw_waker raw_;
};

}  // namespace kyoto
