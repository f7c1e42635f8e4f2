// The thread-local "current runtime" (what spawn and handle::current use).
#pragma once

#include "kyoto/detail/runtime/runtime_core.hpp"

namespace kyoto::detail {

/// Makes `core` the current runtime of this thread for the scope's duration.
class enter_runtime {
 public:
  explicit enter_runtime(runtime_core* core) noexcept;
  ~enter_runtime();
  enter_runtime(const enter_runtime&) = delete;
  enter_runtime& operator=(const enter_runtime&) = delete;

 private:
  runtime_core* saved_;
};

}  // namespace kyoto::detail
