#include "sim/time/clock.h"

#include <gtest/gtest.h>

namespace zxvp {
namespace {

using sc_core::SC_NS;
using sc_core::SC_PS;
using sc_core::sc_time;

TEST(Clock, ConvertsCyclesToTimeAndBack) {
  const Clock clock(2000);
  EXPECT_EQ(clock.period(), sc_time(500, SC_PS));
  EXPECT_EQ(clock.cycles(3), sc_time(1.5, SC_NS));
  EXPECT_EQ(clock.cycles_in(sc_time(1.7, SC_NS)), 3u);
  EXPECT_EQ(clock.cycles_covering(sc_time(1.7, SC_NS)), 4u);
  EXPECT_EQ(clock.cycles_covering(sc_time(1.5, SC_NS)), 3u);
}

TEST(Clock, RoundsPeriodToThePicosecond) {
  EXPECT_EQ(Clock(3000).period_ps(), 333u);
  EXPECT_EQ(Clock(1600).period_ps(), 625u);
  EXPECT_THROW(Clock(0), std::invalid_argument);
}

TEST(Clock, TimeFromNanoseconds) {
  EXPECT_EQ(time_from_ns(45.5), sc_time(45500, SC_PS));
  EXPECT_EQ(time_from_ns(0), sc_core::SC_ZERO_TIME);
  EXPECT_THROW(time_from_ns(-1), std::invalid_argument);
}

}  // namespace
}  // namespace zxvp
