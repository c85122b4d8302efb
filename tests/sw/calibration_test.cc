// The pieces of `zxvp calibrate` that do not need a host to measure: the step fit on curves with
// known steps, the sysfs reader and its fallback, and the simulated counterparts of the host's
// loops (the fit relies on a chase paying the levels' latencies added up).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/params/units.h"
#include "sw/workloads/calibration/cache_geometry.h"
#include "sw/workloads/calibration/host_measurements.h"
#include "sw/workloads/calibration/model_workloads.h"
#include "sw/workloads/calibration/platform_fit.h"
#include "sw/workloads/calibration/step_fit.h"

namespace zxvp {
namespace {

// Working sets from 4 KiB to 256 MiB, doubling, and a value a size: `levels` (size, value)
// steps, then `beyond`.
std::vector<StepPoint> stepped(const std::vector<std::pair<uint64_t, double>>& levels,
                               double beyond) {
  std::vector<StepPoint> curve;
  for (uint64_t bytes = 4 * KiB; bytes <= 256 * MiB; bytes *= 2) {
    double value = beyond;
    for (const auto& [size, plateau] : levels) {
      if (bytes <= size) {
        value = plateau;
        break;
      }
    }
    curve.push_back({bytes, value});
  }
  return curve;
}

TEST(StepFit, ALatencyCurveWithKnownStepsGivesBackItsSizesAndLatencies) {
  const std::vector<StepPoint> curve =
      stepped({{32 * KiB, 1.2}, {512 * KiB, 4.0}, {8 * MiB, 14.0}}, 100.0);
  EXPECT_EQ(count_steps(curve, 4, 0.1), 3u);
  const Steps steps = fit_steps(curve, 3);
  ASSERT_EQ(steps.levels.size(), 3u);
  EXPECT_EQ(steps.levels[0].size_bytes, 32 * KiB);
  EXPECT_EQ(steps.levels[1].size_bytes, 512 * KiB);
  EXPECT_EQ(steps.levels[2].size_bytes, 8 * MiB);
  EXPECT_DOUBLE_EQ(steps.levels[0].value, 1.2);
  EXPECT_DOUBLE_EQ(steps.levels[1].value, 4.0);
  EXPECT_DOUBLE_EQ(steps.levels[2].value, 14.0);
  EXPECT_DOUBLE_EQ(steps.beyond, 100.0);
  EXPECT_NEAR(steps.rms_log_error, 0.0, 1e-6);
}

TEST(StepFit, NoiseOfTenPercentMovesNoStep) {
  std::vector<StepPoint> curve =
      stepped({{32 * KiB, 1.2}, {512 * KiB, 4.0}, {8 * MiB, 14.0}}, 100.0);
  for (size_t i = 0; i < curve.size(); ++i)
    curve[i].value *= i % 2 == 0 ? 1.1 : 0.9;
  EXPECT_EQ(count_steps(curve, 4, 0.15), 3u);
  const Steps steps = fit_steps(curve, 3);
  EXPECT_EQ(steps.levels[0].size_bytes, 32 * KiB);
  EXPECT_EQ(steps.levels[1].size_bytes, 512 * KiB);
  EXPECT_EQ(steps.levels[2].size_bytes, 8 * MiB);
  EXPECT_NEAR(steps.levels[1].value, 4.0, 0.41);
}

TEST(StepFit, FallingBandwidthStepsToo) {
  const Steps steps = fit_steps(stepped({{64 * KiB, 80.0}, {2 * MiB, 30.0}}, 9.0), 2);
  EXPECT_EQ(steps.levels[0].size_bytes, 64 * KiB);
  EXPECT_EQ(steps.levels[1].size_bytes, 2 * MiB);
  EXPECT_DOUBLE_EQ(steps.beyond, 9.0);
}

TEST(StepFit, RefusesTooFewPointsOrValuesThatAreNotPositive) {
  EXPECT_THROW(fit_steps({{4096, 1.0}, {8192, 2.0}}, 2), std::invalid_argument);
  EXPECT_THROW(fit_steps({{4096, 1.0}, {8192, 0.0}, {16384, 2.0}}, 1), std::invalid_argument);
}

TEST(FigureOf, MedianAndRangeOfTheRepetitions) {
  const Figure odd = Figure::of({5, 1, 3});
  EXPECT_EQ(odd.median, 3);
  EXPECT_EQ(odd.low, 1);
  EXPECT_EQ(odd.high, 5);
  EXPECT_EQ(odd.repetitions, 3u);
  EXPECT_EQ(Figure::of({4, 1, 3, 2}).median, 2.5);
}

// A directory laid out as /sys/devices/system/cpu/cpu0/cache.
class FakeSysfs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("zxvp_sysfs_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void cache(int index, const std::vector<std::pair<std::string, std::string>>& files) {
    const auto directory = root_ / ("index" + std::to_string(index));
    std::filesystem::create_directories(directory);
    for (const auto& [name, text] : files)
      std::ofstream(directory / name) << text << "\n";
  }
  void standard() {
    cache(0, {{"level", "1"},
              {"type", "Data"},
              {"size", "32K"},
              {"ways_of_associativity", "8"},
              {"coherency_line_size", "64"},
              {"shared_cpu_list", "0"}});
    cache(1, {{"level", "1"},
              {"type", "Instruction"},
              {"size", "32K"},
              {"ways_of_associativity", "8"},
              {"coherency_line_size", "64"}});
    cache(2, {{"level", "2"},
              {"type", "Unified"},
              {"size", "512K"},
              {"ways_of_associativity", "8"},
              {"coherency_line_size", "64"},
              {"shared_cpu_list", "0"}});
    cache(3, {{"level", "3"},
              {"type", "Unified"},
              {"size", "32768K"},
              {"ways_of_associativity", "16"},
              {"coherency_line_size", "64"},
              {"shared_cpu_list", "0-7"}});
  }

  std::filesystem::path root_;
};

TEST_F(FakeSysfs, ReadsDataAndUnifiedCachesNearestFirst) {
  standard();
  const CacheGeometry geometry = read_cache_geometry(root_.string());
  EXPECT_EQ(geometry.note, "");
  ASSERT_EQ(geometry.levels.size(), 3u);
  EXPECT_EQ(geometry.levels[0].size_bytes, 32 * KiB);
  EXPECT_EQ(geometry.levels[1].size_bytes, 512 * KiB);
  EXPECT_EQ(geometry.levels[2].size_bytes, 32 * MiB);
  EXPECT_EQ(geometry.levels[2].ways, 16u);
  EXPECT_EQ(geometry.levels[0].line_bytes, 64u);
  EXPECT_FALSE(geometry.levels[1].shared);
  EXPECT_TRUE(geometry.levels[2].shared);
}

TEST_F(FakeSysfs, ADirectoryWithoutTheFilesGivesNoLevelsAndSaysWhy) {
  cache(0, {{"type", "Data"}});  // no level, size, ways
  const CacheGeometry partial = read_cache_geometry(root_.string());
  EXPECT_TRUE(partial.levels.empty());
  EXPECT_NE(partial.note.find("lacks"), std::string::npos) << partial.note;
  const CacheGeometry missing = read_cache_geometry((root_ / "nowhere").string());
  EXPECT_TRUE(missing.levels.empty());
  EXPECT_NE(missing.note.find("does not exist"), std::string::npos) << missing.note;
}

// Without sysfs the calibration measures the caches: the latency curve's steps give the levels
// and their sizes, with a note.
TEST_F(FakeSysfs, WithoutSysfsTheCachesComeFromTheLatencyStepsWithANote) {
  HostMeasurements host;
  host.caches = read_cache_geometry(root_.string());  // empty directory
  for (const StepPoint& point :
       stepped({{32 * KiB, 1.2}, {512 * KiB, 4.0}, {8 * MiB, 14.0}}, 100.0)) {
    host.latency_ns.push_back({point.bytes, Figure::of({point.value})});
  }
  const CacheGeometry geometry = cache_geometry_for(host);
  ASSERT_EQ(geometry.levels.size(), 3u);
  EXPECT_EQ(geometry.levels[0].size_bytes, 32 * KiB);
  EXPECT_EQ(geometry.levels[1].size_bytes, 512 * KiB);
  EXPECT_EQ(geometry.levels[2].size_bytes, 8 * MiB);
  EXPECT_TRUE(geometry.levels[2].shared);
  EXPECT_NE(geometry.note.find("no cache description"), std::string::npos) << geometry.note;
  EXPECT_NE(geometry.note.find("3 levels measured"), std::string::npos) << geometry.note;

  standard();
  host.caches = read_cache_geometry(root_.string());
  const CacheGeometry described = cache_geometry_for(host);
  EXPECT_EQ(described.note, "");
  EXPECT_EQ(described.levels[2].size_bytes, 32 * MiB);
}

// The fit splits a chase's latency into levels that add up: on the default platform (2.4 GHz;
// L1 4, L2 12, L3 42 cycles) a chase inside each level pays the sum of the levels to it.
TEST(ModelWorkloads, AChaseInsideEachLevelPaysTheLatenciesUpToItAddedUp) {
  ModelMachine machine;
  machine.params = {{"memory.size", "2GiB"}};
  for (const uint64_t bytes : {16 * KiB, 128 * KiB, 1 * MiB})
    machine.workloads.push_back({ModelWorkloadKind::chase, bytes, 2000});
  const auto results = run_model_machines({machine});
  ASSERT_EQ(results.size(), 1u);
  ASSERT_EQ(results[0].size(), 3u);
  EXPECT_NEAR(results[0][0].ns, 4 / 2.4, 1e-6);
  EXPECT_NEAR(results[0][1].ns, (4 + 12) / 2.4, 1e-6);
  EXPECT_NEAR(results[0][2].ns, (4 + 12 + 42) / 2.4, 1e-6);
}

// The write path's fit inverts this: a pwrite of 2 bytes across two pages costs one page more
// than one of 1 byte, and both one call; on the machine, one page lookup more, and one handle
// lookup each (less the cycle the second page's lookup spends beside the first page's store).
TEST(ModelWorkloads, AWriteAcrossTwoPagesPaysOnePageLookupMoreThanOneByte) {
  auto machine = [](const char* page_lookup, const char* handle_lookup) {
    ModelMachine m;
    m.params = {{"memory.size", "2GiB"},
                {"kernel.page_lookup_cycles", page_lookup},
                {"kernel.handle_lookup_cycles", handle_lookup}};
    m.workloads = {{ModelWorkloadKind::vmo_write_at, 1, 0},
                   {ModelWorkloadKind::vmo_write_at, 2, 4095}};
    return m;
  };
  const auto results = run_model_machines({machine("0", "0"), machine("240", "480")});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_EQ(results[0].size(), 2u);
  ASSERT_EQ(results[1].size(), 2u);
  EXPECT_NEAR(results[1][0].warm_ns - results[0][0].warm_ns, (480 + 240) / 2.4, 1e-6);
  EXPECT_NEAR(results[1][1].warm_ns - results[0][1].warm_ns, (480 + 2 * 240 - 1) / 2.4, 1e-6);
}

// The allocation's fit inverts this: committing a fresh VMO's pages pays
// kernel.page_alloc_cycles once a page besides the zero fill, which does not change with it.
TEST(ModelWorkloads, ACommitPaysThePageAllocationOnceAPage) {
  auto machine = [](const char* page_alloc) {
    ModelMachine m;
    m.params = {{"memory.size", "2GiB"}, {"kernel.page_alloc_cycles", page_alloc}};
    m.workloads = {{ModelWorkloadKind::commit, 0, 64}, {ModelWorkloadKind::commit, 0, 1}};
    return m;
  };
  const auto results = run_model_machines({machine("0"), machine("1200")});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_EQ(results[0].size(), 2u);
  ASSERT_EQ(results[1].size(), 2u);
  EXPECT_NEAR(results[1][0].ns - results[0][0].ns, 1200 / 2.4, 1e-6);
  EXPECT_NEAR(results[1][1].ns - results[0][1].ns, 1200 / 2.4, 1e-6);
  EXPECT_GT(results[0][0].ns, 0.0);  // the zero fill and the call remain
}

}  // namespace
}  // namespace zxvp
