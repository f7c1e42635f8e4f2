// io::result<T>: a T or a std::error_code.
#pragma once

#include <system_error>

#include "kyoto/core/result.hpp"

namespace kyoto::io {

template <class T = void>
using result = kyoto::result<T, std::error_code>;

}  // namespace kyoto::io
