// kyoto's own I/O error codes (the OS's come as std::errc / errno values).
#pragma once

#include <string>
#include <system_error>
#include <type_traits>

namespace kyoto::io {

/// Errors that have no errno of their own:
///   if (r.error() == kyoto::io::errc::unexpected_eof) ...
enum class errc {
  unexpected_eof = 1,  // the reader ended before the bytes asked for
  write_zero,          // a writer accepted no bytes of a non-empty write
  line_too_long,       // a line exceeded the limit given to lines()
  driver_shutdown,     // the runtime that owns the I/O driver is shut down or gone
};

const std::error_category& io_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), io_category()};
}

}  // namespace kyoto::io

template <>
struct std::is_error_code_enum<kyoto::io::errc> : std::true_type {};
