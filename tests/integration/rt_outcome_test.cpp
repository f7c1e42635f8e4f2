// Every combination of how a task ends, what happens to its join handle and
// when it is aborted: the task's frame is destroyed exactly once, and
// nothing leaks (ASan checks the latter).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

#include "kyoto/kyoto.hpp"
#include "runtime_flavors.hpp"
#include "test_futures.hpp"

using namespace kyoto;
using namespace kyoto::test;

namespace {

enum class body { completes, throws, stays_pending };
enum class handle_fate { dropped_before_completion, dropped_after_completion, awaited };
enum class abort_at { never, before_first_poll, while_suspended, after_completion };

task<int> subject(drop_token token, body b, std::shared_ptr<manual_state> gate,
                  std::shared_ptr<manual_state> suspended) {
  (void)token;
  suspended->set();  // first poll reached
  co_await manual_future(gate);
  if (b == body::throws) throw std::runtime_error("subject threw");
  if (b == body::stays_pending) co_await manual_future(std::make_shared<manual_state>());
  co_return 1;
}

class RtOutcome : public every_flavor {};
KYOTO_EVERY_FLAVOR(RtOutcome);

// Drives the runtime until `done()` holds (current-thread tasks only run
// inside block_on).
template <class Pred>
void drive_until(runtime& rt, Pred done) {
  for (int i = 0; i < 1'000'000 && !done(); ++i) {
    rt.block_on(yield_now());
    if (!done()) std::this_thread::yield();
  }
  ASSERT_TRUE(done());
}

TEST_P(RtOutcome, EveryCombinationDestroysTheTaskExactlyOnce) {
  for (body b : {body::completes, body::throws, body::stays_pending}) {
    for (handle_fate fate : {handle_fate::dropped_before_completion,
                             handle_fate::dropped_after_completion, handle_fate::awaited}) {
      for (abort_at ab : {abort_at::never, abort_at::before_first_poll, abort_at::while_suspended,
                          abort_at::after_completion}) {
        SCOPED_TRACE(testing::Message()
                     << "body " << int(b) << " fate " << int(fate) << " abort " << int(ab));
        std::atomic<int> drops{0};
        {
          auto rt = make();
          auto gate = std::make_shared<manual_state>();
          auto suspended = std::make_shared<manual_state>();
          auto h = rt.spawn(subject(drop_token(drops), b, gate, suspended));
          if (ab == abort_at::before_first_poll) h.abort();
          if (ab == abort_at::while_suspended) {
            drive_until(rt, [&] { return suspended->ready.load() || h.is_finished(); });
            h.abort();
          }
          bool will_finish = b != body::stays_pending || ab == abort_at::before_first_poll ||
                             ab == abort_at::while_suspended;
          if (fate == handle_fate::dropped_before_completion) {
            h = join_handle<int>();
          }
          gate->set();
          if (will_finish && fate != handle_fate::dropped_before_completion) {
            drive_until(rt, [&] { return h.is_finished(); });
            if (ab == abort_at::after_completion) h.abort();
          }
          if (fate == handle_fate::dropped_after_completion) h = join_handle<int>();
          if (fate == handle_fate::awaited && will_finish) {
            auto r = rt.block_on(std::move(h));
            bool aborted_early = ab == abort_at::before_first_poll;
            if (aborted_early && GetParam() == flavor::current_thread) {
              // Nothing has polled it yet: it never runs.
              ASSERT_FALSE(r);
              EXPECT_TRUE(r.error().is_cancelled());
            } else if (aborted_early || ab == abort_at::while_suspended) {
              // A worker may be polling it when abort() comes in; if that
              // very poll finishes the task, its outcome stands (as in
              // Tokio). Otherwise it is cancelled.
              if (r) {
                EXPECT_EQ(*r, 1);
              } else {
                EXPECT_TRUE(r.error().is_cancelled() ||
                            (b == body::throws && r.error().is_panic()));
              }
            } else if (b == body::throws) {
              ASSERT_FALSE(r);
              EXPECT_TRUE(r.error().is_panic());
            } else {
              ASSERT_TRUE(r);
              EXPECT_EQ(*r, 1);
            }
          }
          if (will_finish) drive_until(rt, [&] { return drops.load() == 1; });
        }  // runtime shutdown cancels whatever is still pending
        EXPECT_EQ(drops.load(), 1);
      }
    }
  }
}

}  // namespace
