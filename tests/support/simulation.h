#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <systemc>

namespace zxvp::testing {

// Runs `body` in an SC_THREAD of the already elaborated design and simulates until every process
// is done; fails the test if the body did not reach its end (it waited forever, or threw).
inline void run_in_thread(std::function<void()> body) {
  bool finished = false;
  sc_core::sc_spawn(
      [&] {
        body();
        finished = true;
      },
      "test_body");
  sc_core::sc_start();
  ASSERT_TRUE(finished) << "the test body did not run to its end";
}

}  // namespace zxvp::testing
