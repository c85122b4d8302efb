// `zxvp calibrate` as a user runs it: --quick writes a platform file that `zxvp run` takes and
// a report with a row for every validation workload and size; bad usage exits 2 with the
// reason, before measuring anything. (The accuracy itself is a benchmark of a noisy shared
// machine, not asserted here.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/shell_command.h"

namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

using Result = zxvp::testing::ShellResult;

// stdout and stderr together.
Result zxvp(const std::string& arguments) {
  return zxvp::testing::run_shell(std::string(ZXVP_BINARY) + " " + arguments + " 2>&1");
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class Calibrate : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("zxvp_calibrate_test_" + std::to_string(getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::filesystem::path directory_;
};

TEST_F(Calibrate, QuickWritesAPlatformRunTakesAndAReportWithEveryRow) {
  const std::filesystem::path platform = directory_ / "fitted.yaml";
  const std::filesystem::path report = directory_ / "report";
  const Result run =
      zxvp("calibrate --quick --out " + platform.string() + " --report " + report.string());
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("fitted platform"));
  EXPECT_THAT(run.output, HasSubstr("accuracy on workloads the fit did not use"));

  // Every fitted value says where it came from.
  const std::string file = read_text(platform);
  for (const char* fitted :
       {"cpu.clock_mhz:", "cache.l1.size:", "cache.l1.hit_latency_cycles:",
        "cache.l1.bytes_per_cycle:", "cache.l1.mshrs:", "memory.read_latency_ns:",
        "memory.clock_mhz:", "cpu.trap_entry_cycles:", "kernel.page_alloc_cycles:",
        "kernel.fault_cycles:"}) {
    const size_t at = file.find(fitted);
    ASSERT_NE(at, std::string::npos) << fitted;
    const std::string line = file.substr(at, file.find('\n', at) - at);
    EXPECT_THAT(line, HasSubstr("# ")) << line;
  }
  const Result scenario =
      zxvp("run " + std::string(ZXVP_SOURCE_DIR) +
           "/sw/workloads/scenarios/snapshot_fork_cost.yaml --platform " + platform.string());
  EXPECT_EQ(scenario.status, 0) << scenario.output;
  EXPECT_THAT(scenario.output, HasSubstr(platform.string()));

  // A row for every workload and size of the quick run: 4 KiB to 64 MiB, four times apart.
  const std::string markdown = read_text(report / "report.md");
  const std::string csv = read_text(report / "results.csv");
  for (const char* workload : {"memcpy warm", "memcpy cold", "pwrite warm", "pwrite cold"}) {
    for (const char* size :
         {"4KiB", "16KiB", "64KiB", "256KiB", "1MiB", "4MiB", "16MiB", "64MiB"}) {
      EXPECT_THAT(markdown, HasSubstr(std::string("| ") + workload + " | " + size + " | "))
          << workload << " " << size;
    }
    EXPECT_THAT(csv, HasSubstr(std::string("validation,") + workload + ",ns,4096,"));
    EXPECT_THAT(csv, HasSubstr(std::string("validation,") + workload + ",ns,67108864,"));
  }
  // The saved measurements fit again, without measuring; a file that is not one is refused.
  const Result refit = zxvp("calibrate --measurements " + (report / "measurements.json").string() +
                            " --out " + (directory_ / "refit.yaml").string());
  EXPECT_EQ(refit.status, 0) << refit.output;
  EXPECT_THAT(refit.output, ::testing::Not(HasSubstr("measuring this host")));
  EXPECT_THAT(refit.output, HasSubstr("memcpy cold"));
  // Measurements saved before `rep movsb` was measured fit too: the L1 follows the copy loop.
  std::string saved = read_text(report / "measurements.json");
  const size_t string_copy = saved.find("\"string_copy_gbps\"");
  ASSERT_NE(string_copy, std::string::npos);
  saved.replace(string_copy, std::string("\"string_copy_gbps\"").size(), "\"unread_curve\"");
  std::ofstream(directory_ / "older.json") << saved;
  const Result older = zxvp("calibrate --measurements " + (directory_ / "older.json").string() +
                            " --out " + (directory_ / "older.yaml").string());
  EXPECT_EQ(older.status, 0) << older.output;
  EXPECT_THAT(read_text(directory_ / "older.yaml"),
              ContainsRegex("cache.l1.write_bytes_per_cycle: [0-9]+ +# copy loop:"));
  const Result refused = zxvp("calibrate --measurements " + (report / "results.csv").string() +
                              " --out " + (directory_ / "refused.yaml").string());
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("--measurements"));
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    for (const char* plot : {"validation.png", "validation.svg", "fitting.png", "fitting.svg"})
      EXPECT_GT(std::filesystem::file_size(report / plot), 1000u) << plot;
  }
}

TEST_F(Calibrate, BadUsageExitsTwoWithTheReasonBeforeMeasuring) {
  const Result option = zxvp("calibrate --bogus");
  EXPECT_EQ(option.status, 2);
  EXPECT_THAT(option.output, HasSubstr("--bogus"));
  const Result stray = zxvp("calibrate extra");
  EXPECT_EQ(stray.status, 2);
  EXPECT_THAT(stray.output, HasSubstr("extra"));
  const Result out = zxvp("calibrate --quick --out /nonexistent/directory/fitted.yaml");
  EXPECT_EQ(out.status, 2);
  EXPECT_THAT(out.output, HasSubstr("cannot write --out /nonexistent/directory/fitted.yaml"));
  EXPECT_THAT(out.output, ::testing::Not(HasSubstr("measuring")));
  const std::filesystem::path file = directory_ / "a_file";
  std::ofstream(file) << "x\n";
  const Result report = zxvp("calibrate --quick --report " + (file / "report").string());
  EXPECT_EQ(report.status, 2);
  EXPECT_THAT(report.output, HasSubstr("cannot create --report"));
  const Result missing = zxvp("calibrate --out");
  EXPECT_EQ(missing.status, 2);
  const Result help = zxvp("calibrate --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.output, HasSubstr("--quick"));
}

}  // namespace
