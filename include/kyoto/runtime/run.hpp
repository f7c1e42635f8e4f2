// kyoto::run: the #[tokio::main] of kyoto.
#pragma once

#include <cstdio>
#include <exception>
#include <type_traits>

#include "kyoto/core/task.hpp"
#include "kyoto/runtime/runtime.hpp"

namespace kyoto {

/// Runs `main_task` on a default multi-thread runtime (one worker per CPU,
/// all drivers enabled) and returns its int (0 for task<void>):
///   int main() { return kyoto::run(async_main()); }
/// An exception escaping the task is printed and gives exit status 1.
template <class T>
requires(std::is_void_v<T> || std::is_convertible_v<T, int>)
int run(task<T> main_task) {
  try {
    auto rt = runtime::builder::multi_thread().enable_all().build();
    if constexpr (std::is_void_v<T>) {
      rt.block_on(std::move(main_task));
      return 0;
    } else {
      return static_cast<int>(rt.block_on(std::move(main_task)));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kyoto::run: the main task threw: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "kyoto::run: the main task threw a non-std exception\n");
  }
  return 1;
}

}  // namespace kyoto
