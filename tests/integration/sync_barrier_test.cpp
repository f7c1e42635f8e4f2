#include <gtest/gtest.h>

#include <memory>

#include "kyoto/kyoto.hpp"

using namespace kyoto;

namespace {

TEST(Barrier, ReleasesEachGroupWithOneLeader) {
  auto rt = runtime::builder::multi_thread().worker_threads(2).build();
  auto b = std::make_shared<barrier>(4);
  int leaders = rt.block_on([](std::shared_ptr<barrier> bb) -> task<int> {
    join_set<bool> set;
    for (int i = 0; i < 12; ++i) {
      set.spawn([](std::shared_ptr<barrier> b2) -> task<bool> {
        auto r = co_await b2->wait();
        co_return r.is_leader();
      }(bb));
    }
    int n = 0;
    while (auto r = co_await set.join_next()) n += r->value();
    co_return n;
  }(b));
  EXPECT_EQ(leaders, 3);
}

}  // namespace
