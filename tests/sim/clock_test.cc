#include "sim/time/clock.h"

#include <gtest/gtest.h>

#include <random>

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

TEST(Clock, WholeCyclesInATimeAreExactlyTheIntegerQuotient) {
  for (const uint64_t mhz : {1u, 1600u, 2000u, 3000u, 7919u, 1'000'000u}) {
    const Clock clock(mhz);
    const uint64_t period = clock.period_ps();
    for (const uint64_t cycles :
         {uint64_t{0}, uint64_t{1}, uint64_t{12345}, uint64_t{1} << 40,
          (uint64_t{1} << 52) / period, (uint64_t{1} << 53) / period, UINT64_MAX / period - 1}) {
      for (const int64_t nudge : {-1, 0, 1}) {
        const uint64_t ticks = cycles * period + static_cast<uint64_t>(nudge);
        if (nudge < 0 && cycles == 0) continue;
        EXPECT_EQ(clock.cycles_in(sc_time::from_value(ticks)), ticks / period)
            << mhz << " MHz, " << ticks << " ps";
      }
    }
  }
}

TEST(Clock, WholeCyclesOfRandomTimesOfEveryMagnitudeAreTheIntegerQuotient) {
  std::mt19937_64 random(42);
  for (const uint64_t mhz : {1u, 999u, 2000u, 2445u, 3195u, 7919u, 600'000u}) {
    const Clock clock(mhz);
    const uint64_t period = clock.period_ps();
    for (int sample = 0; sample < 20'000; ++sample) {
      const uint64_t ticks = random() >> (random() % 64);
      ASSERT_EQ(clock.cycles_in(sc_time::from_value(ticks)), ticks / period)
          << mhz << " MHz, " << ticks << " ps";
    }
    // Around the largest time that the reciprocal serves.
    const uint64_t edge = UINT64_MAX / period;
    for (const uint64_t ticks : {edge - 1, edge, edge + 1}) {
      EXPECT_EQ(clock.cycles_in(sc_time::from_value(ticks)), ticks / period)
          << mhz << " MHz, " << ticks << " ps";
    }
  }
}

TEST(Clock, ScaledTimesAreExactProducts) {
  for (const uint64_t unit :
       {uint64_t{0}, uint64_t{1}, uint64_t{500}, uint64_t{62'500}, (uint64_t{1} << 31) - 1,
        uint64_t{1} << 31, (uint64_t{1} << 32) - 1, uint64_t{1} << 40}) {
    for (const uint64_t count : {uint64_t{0}, uint64_t{1}, uint64_t{64}, (uint64_t{1} << 21) - 1,
                                 uint64_t{1} << 21, uint64_t{1} << 23}) {
      EXPECT_EQ(scaled(sc_time::from_value(unit), count).value(), unit * count)
          << unit << " x " << count;
    }
  }
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
