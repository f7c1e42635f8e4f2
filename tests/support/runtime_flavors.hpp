// Runs a runtime test body on every flavour: current-thread, multi-thread
// with 1 worker, multi-thread with 4 workers.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "kyoto/runtime.hpp"

namespace kyoto::test {

enum class flavor { current_thread, multi_1, multi_4 };

inline runtime make_runtime(flavor f) {
  switch (f) {
    case flavor::current_thread:
      return runtime::builder::current_thread().enable_all().build();
    case flavor::multi_1:
      return runtime::builder::multi_thread().worker_threads(1).enable_all().build();
    case flavor::multi_4:
      break;
  }
  return runtime::builder::multi_thread().worker_threads(4).enable_all().build();
}

inline std::string flavor_name(const testing::TestParamInfo<flavor>& info) {
  switch (info.param) {
    case flavor::current_thread:
      return "current_thread";
    case flavor::multi_1:
      return "multi_thread_1";
    case flavor::multi_4:
      break;
  }
  return "multi_thread_4";
}

class every_flavor : public testing::TestWithParam<flavor> {
 protected:
  runtime make() const { return make_runtime(GetParam()); }
};

#define KYOTO_EVERY_FLAVOR(suite)                                                        \
  INSTANTIATE_TEST_SUITE_P(                                                              \
      , suite,                                                                           \
      testing::Values(kyoto::test::flavor::current_thread, kyoto::test::flavor::multi_1, \
                      kyoto::test::flavor::multi_4),                                     \
      kyoto::test::flavor_name)

}  // namespace kyoto::test
