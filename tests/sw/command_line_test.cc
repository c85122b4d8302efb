#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/sanitizers.h"
#include "tests/support/shell_command.h"

namespace {

using ::testing::HasSubstr;
using zxvp::testing::kSanitized;

using Result = zxvp::testing::ShellResult;

// stdout and stderr together.
Result zxvp(const std::string& arguments) {
  return zxvp::testing::run_shell(std::string(ZXVP_BINARY) + " " + arguments + " 2>&1");
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("zxvp_cli_" + std::to_string(getpid()) + "_" + name))
      .string();
}

TEST(CommandLine, VersionAndHelp) {
  const Result version = zxvp("--version");
  EXPECT_EQ(version.status, 0);
  EXPECT_THAT(version.output, HasSubstr("zxvp 0.2.0"));
  const Result help = zxvp("--help");
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.output, HasSubstr("zxvp params"));
  EXPECT_THAT(help.output, HasSubstr("--param"));
}

TEST(CommandLine, BadUsageExitsTwoAndSaysWhatToTypeInstead) {
  const Result command = zxvp("frobnicate");
  EXPECT_EQ(command.status, 2);
  EXPECT_THAT(command.output, HasSubstr("unknown command 'frobnicate'"));
  EXPECT_THAT(command.output, HasSubstr("zxvp --help"));
  const Result option = zxvp("run --bogus");
  EXPECT_EQ(option.status, 2);
  EXPECT_THAT(option.output, HasSubstr("--bogus"));
  const Result level = zxvp("run --log-level chatty");
  EXPECT_EQ(level.status, 2);
  EXPECT_THAT(level.output, HasSubstr("error, warning, info, debug, trace"));
  for (const std::string repeat : {"--repeat abc", "--repeat", "--repeat 0", "--repeat 5x"}) {
    const Result bench = zxvp("bench " + repeat);
    EXPECT_EQ(bench.status, 2) << repeat;
    EXPECT_THAT(bench.output, HasSubstr("--repeat needs a number of runs from 1 to 1000"))
        << repeat;
  }
}

TEST(CommandLine, BadParameterExitsTwoNamingKeyValueAndAllowedValues) {
  const Result unknown = zxvp("run -p memory.sizee=4GiB");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_THAT(unknown.output, HasSubstr("did you mean 'memory.size'"));
  const Result range = zxvp("run -p memory.size=2TiB");
  EXPECT_EQ(range.status, 2);
  EXPECT_THAT(range.output, HasSubstr("value '2TiB' is out of range; allowed: an integer from 1MiB "
                                      "to 1TiB"));
  const Result platform = zxvp("run --platform nowhere.yaml");
  EXPECT_EQ(platform.status, 2);
  EXPECT_THAT(platform.output, HasSubstr("nowhere.yaml"));
}

TEST(CommandLine, ParamsListsEveryMemoryAndBusKeyWithItsUnit) {
  const Result params = zxvp("params -p memory.size=2GiB");
  EXPECT_EQ(params.status, 0);
  EXPECT_THAT(params.output, testing::ContainsRegex("memory.size +2GiB +1GiB +bytes"));
  for (const char* key : {"memory.read_latency_ns", "memory.write_latency_ns",
                          "memory.bytes_per_cycle", "memory.clock_mhz", "bus.clock_mhz",
                          "bus.hop_latency_cycles", "sim.dmi", "sim.quantum_ns"}) {
    EXPECT_THAT(params.output, HasSubstr(key));
  }
  EXPECT_THAT(params.output, testing::ContainsRegex("memory.read_latency_ns +40 +40 +ns"));
}

TEST(CommandLine, ProbePassesItsChecks) {
  const Result probe = zxvp("probe");
  EXPECT_EQ(probe.status, 0) << probe.output;
  EXPECT_THAT(probe.output, HasSubstr("every byte matches"));
  EXPECT_THAT(probe.output, HasSubstr("equals the closed form"));
}

TEST(CommandLine, DefaultRunIsTheBuiltInStudyWithStatistics) {
  const std::string stats = temp_path("stats.json");
  const Result run = zxvp("--stats " + stats);
  EXPECT_EQ(run.status, 0) << run.output;
  for (const char* expected :
       {"built-in study", "CPU copy", "DMA engine", "4MiB", "fork-on-write", "ZX_ERR_BAD_STATE"}) {
    EXPECT_THAT(run.output, HasSubstr(expected));
  }
  std::ifstream file(stats);
  std::stringstream text;
  text << file.rdbuf();
  std::filesystem::remove(stats);
  const boost::json::value json = boost::json::parse(text.str());
  EXPECT_GT(json.at("cpu").at("memory").at("bytes_written").to_number<uint64_t>(), 4u << 20);
  EXPECT_GT(json.at("dma").at("dma").at("descriptors").to_number<uint64_t>(), 0u);
}

TEST(CommandLine, DmiOnAndOffGiveTheSameStudyAndStatistics) {
  const std::string with_dmi = temp_path("dmi_on.json");
  const std::string without_dmi = temp_path("dmi_off.json");
  const Result on = zxvp("run --stats " + with_dmi);
  const Result off = zxvp("run -p sim.dmi=false --stats " + without_dmi);
  ASSERT_EQ(on.status, 0);
  ASSERT_EQ(off.status, 0);
  auto table = [](const std::string& output) {
    return output.substr(output.find("zx_vmo_write"),
                         output.find("host:") - output.find("zx_vmo_write"));
  };
  EXPECT_EQ(table(on.output), table(off.output));
  auto stats_without_grants = [](const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    boost::json::value json = boost::json::parse(text.str());
    for (const char* system : {"cpu", "dma", "dma_coherent"}) {
      // Host mechanics, not simulated traffic: how bytes were moved without timing.
      json.at(system).at("memory").as_object().erase("dmi_grants");
      json.at(system).at("memory").as_object().erase("debug_accesses");
    }
    return boost::json::serialize(json);
  };
  EXPECT_EQ(stats_without_grants(with_dmi), stats_without_grants(without_dmi));
  std::filesystem::remove(with_dmi);
  std::filesystem::remove(without_dmi);
}

TEST(CommandLine, SixtyFourGibPlatformRunsInLittleHostMemory) {
  const Result run = zxvp("run -p memory.size=64GiB");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("64GiB memory"));
  const std::string marker = "peak resident ";
  const size_t at = run.output.find(marker);
  ASSERT_NE(at, std::string::npos) << run.output;
  EXPECT_LT(std::stod(run.output.substr(at + marker.size())), kSanitized ? 256.0 : 64.0);
}

}  // namespace
