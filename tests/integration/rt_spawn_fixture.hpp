// What the rt_*_test.cpp files share: the RtSpawn suite, run on every
// runtime flavour (instantiated once, in rt_spawn_test.cpp), and a task
// that completes after one trip through the scheduler.
#pragma once

#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"

namespace kyoto::test {

class RtSpawn : public every_flavor {};

inline task<int> add_after_yield(int a, int b) {
  co_await yield_now();
  co_return a + b;
}

}  // namespace kyoto::test
