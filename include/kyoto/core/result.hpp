// result<T, E>: a value or an error (std::expected for C++20), and err(e).
#pragma once

#include <exception>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace kyoto {

/// An error on its way into a result (std::unexpected's role).
///   kyoto::result<int, std::string> r = kyoto::err(std::string("bad"));
template <class E>
struct error_value {
  E error;
};
template <class E>
error_value<std::decay_t<E>> err(E&& e) {
  return {std::forward<E>(e)};
}

/// Thrown by result::value() on an error whose type is not an exception.
class bad_result_access : public std::logic_error {
 public:
  bad_result_access() : std::logic_error("kyoto::result: value() called on an error") {}
};

namespace detail {
template <class T>
struct is_error_value : std::false_type {};
template <class E>
struct is_error_value<error_value<E>> : std::true_type {};

template <class E>
[[noreturn]] void throw_result_error(const E& e) {
  if constexpr (std::is_same_v<E, std::error_code>) {
    throw std::system_error(e);
  } else if constexpr (std::is_same_v<E, std::exception_ptr>) {
    std::rethrow_exception(e);
  } else if constexpr (std::is_base_of_v<std::exception, E>) {
    throw e;
  } else {
    throw bad_result_access();
  }
}
}  // namespace detail

/// Holds a T or an E.
///   kyoto::result<int, std::string> parse(std::string_view s);
///   if (auto r = parse("12")) use(*r); else log(r.error());
template <class T, class E>
class [[nodiscard]] result {
 public:
  using value_type = T;
  using error_type = E;

  result()
  requires std::is_default_constructible_v<T>
      : v_(std::in_place_index<0>) {}
  template <class U = T>
  requires std::is_constructible_v<T, U&&> &&
           (!detail::is_error_value<std::remove_cvref_t<U>>::value) &&
           (!std::is_same_v<std::remove_cvref_t<U>, result>)
  result(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}
  template <class G>
  requires std::is_constructible_v<E, G&&>
  result(error_value<G> e) : v_(std::in_place_index<1>, std::move(e.error)) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }

  /// The value; throws when this holds an error (std::system_error for an
  /// error_code, the exception itself for an exception type).
  T& value() & {
    if (!has_value()) detail::throw_result_error(error());
    return **this;
  }
  const T& value() const& {
    if (!has_value()) detail::throw_result_error(error());
    return **this;
  }
  T&& value() && {
    if (!has_value()) detail::throw_result_error(error());
    return std::move(**this);
  }
  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? **this : static_cast<T>(std::forward<U>(fallback));
  }

  E& error() & { return std::get<1>(v_); }
  const E& error() const& { return std::get<1>(v_); }
  E&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] result<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  result() noexcept = default;
  template <class G>
  requires std::is_constructible_v<E, G&&>
  result(error_value<G> e) : e_(std::in_place, std::move(e.error)) {}

  bool has_value() const noexcept { return !e_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  void operator*() const noexcept {}
  void value() const {
    if (e_) detail::throw_result_error(*e_);
  }

  E& error() & { return *e_; }
  const E& error() const& { return *e_; }
  E&& error() && { return std::move(*e_); }

 private:
  std::optional<E> e_;
};

/// Anything shaped like a result: has_value(), error(), value_type, error_type.
template <class R>
concept result_like = requires(R r) {
  typename std::remove_cvref_t<R>::value_type;
  typename std::remove_cvref_t<R>::error_type;
  { r.has_value() } -> std::convertible_to<bool>;
  r.error();
};

}  // namespace kyoto
