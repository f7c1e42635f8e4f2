#include "runtime/context.hpp"

#include <stdexcept>

namespace kyoto::detail {
namespace {
thread_local runtime_core* current = nullptr;
}

enter_runtime::enter_runtime(runtime_core* core) noexcept : saved_(current) { current = core; }
enter_runtime::~enter_runtime() { current = saved_; }

runtime_core* current_runtime() noexcept { return current; }

std::shared_ptr<runtime_core> current_runtime_shared() {
  if (!current) {
    throw std::runtime_error(
        "kyoto: no runtime on this thread (call this from a task, or inside "
        "runtime::block_on / kyoto::run)");
  }
  return current->shared_from_this();
}

scheduler* current_scheduler_or_throw() {
  if (!current) {
    throw std::runtime_error(
        "kyoto::spawn called outside a runtime (call it from a task, or inside "
        "runtime::block_on / kyoto::run; or use runtime::spawn / handle::spawn)");
  }
  return current->task_scheduler();
}

}  // namespace kyoto::detail
