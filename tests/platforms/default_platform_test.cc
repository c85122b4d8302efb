#include "platforms/default_platform.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "platforms/platform_file.h"
#include "sim/params/units.h"
#include "sim/yaml/yaml_document.h"
#include "sw/workloads/memory_probe.h"
#include "sw/workloads/system.h"

namespace zxvp {
namespace {

using ::testing::HasSubstr;

ParameterSet default_parameters() {
  ParameterSet parameters;
  System::declare_parameters(parameters);  // platform files also give the kernel's costs
  load_platform_file("default", parameters);
  return parameters;
}

std::string write_file(const std::string& name, const std::string& text) {
  const auto path =
      std::filesystem::temp_directory_path() / ("zxvp_" + std::to_string(getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

// The refusal of a platform file holding `text`, its path written as "FILE".
std::string refusal_of_platform_file(const std::string& text) {
  ParameterSet parameters;
  System::declare_parameters(parameters);  // platform files also give the kernel's costs
  const std::string path = write_file("platform.yaml", text);
  std::string message;
  try {
    load_platform_file(path, parameters);
    ADD_FAILURE() << "accepted:\n" << text;
  } catch (const ConfigError& error) {
    message = error.what();
  }
  std::filesystem::remove(path);
  for (size_t at = message.find(path); at != std::string::npos; at = message.find(path))
    message.replace(at, path.size(), "FILE");
  return message;
}

TEST(PlatformFile, BuiltinDefaultSetsEveryKeyItNames) {
  const ParameterSet parameters = default_parameters();
  EXPECT_EQ(parameters.get_unsigned("memory.size"), GiB);
  EXPECT_THAT(parameters.entry("memory.size").origin, HasSubstr("builtin platform 'default'"));
  EXPECT_TRUE(parameters.get_bool("sim.dmi"));
}

TEST(PlatformFile, FileOnDiskOverridesDefaults) {
  ParameterSet parameters;
  System::declare_parameters(parameters);  // platform files also give the kernel's costs
  const std::string path =
      write_file("small.yaml", "name: small\nparams:\n  memory.size: 16MiB\n  sim.dmi: false\n");
  const PlatformFile platform = load_platform_file(path, parameters);
  std::filesystem::remove(path);
  EXPECT_EQ(platform.name, "small");
  EXPECT_EQ(platform.assembly, "default");
  EXPECT_EQ(parameters.get_unsigned("memory.size"), 16 * MiB);
  EXPECT_FALSE(parameters.get_bool("sim.dmi"));
  EXPECT_THAT(parameters.entry("memory.size").origin, HasSubstr(":3:16"));
}

TEST(PlatformFile, RefusesBadFilesWithTheirLocation) {
  EXPECT_THAT(refusal_of_platform_file("params:\n  memory.sise: 1GiB\n"),
              HasSubstr(":2:16: unknown parameter 'memory.sise'; did you mean 'memory.size'"));
  EXPECT_THAT(refusal_of_platform_file("params:\n  memory.size: 3\n"), HasSubstr("out of range"));
  EXPECT_THAT(refusal_of_platform_file("colour: blue\n"), HasSubstr(":1:1: unknown key 'colour'"));
  EXPECT_THAT(refusal_of_platform_file("assembly: quad\n"), HasSubstr("unknown assembly 'quad'"));
  EXPECT_THAT(refusal_of_platform_file("params: [\n"), HasSubstr("not valid YAML"));
  EXPECT_THAT(refusal_of_platform_file("- a\n- b\n"), HasSubstr("is a mapping"));
}

// Platform files are read like scenarios: every refusal starts with file, line and column, and
// the reader's limits (no aliases, bounded nesting, text only) hold for them too.
TEST(PlatformFile, EveryRefusalStartsWithFileLineAndColumn) {
  const std::string deep = "params: " + std::string(kMaxYamlDepth, '[');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"name: small\nparams:\n  memory.size: lots\n",
       "FILE:3:16: parameter 'memory.size': value 'lots' is refused"},
      {"params:\n  cpu.clock_mhz: 2000\n  memory.read_latency_ns: -5\n",
       "FILE:3:27: parameter 'memory.read_latency_ns': value '-5' is out of range"},
      {"params:\n  sim.dmi: [true]\n", "FILE:2:12: parameter 'sim.dmi' needs a single value"},
      {"params: 16MiB\n", "FILE:1:9: 'params' must be a mapping"},
      {"name: [a, b]\n", "FILE:1:7: 'name' must be text"},
      {"name: x\nassembly: quad\n", "FILE:2:11: unknown assembly 'quad'"},
      {"params:\n  memory.size: [1GiB\n", "FILE:3:1: not valid YAML"},
      {"name: &n small\ndescription: *n\n", "FILE:2:14: not valid YAML: aliases"},
      {deep, "FILE:1:72: not valid YAML: nested deeper than 64 levels"},
      {std::string("name: x\n\0\1", 10), "FILE: not a text file (it holds NUL bytes)"},
      {"- a\n- b\n", "FILE:1:1: a platform file is a mapping"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string refusal = refusal_of_platform_file(text);
    EXPECT_EQ(refusal.rfind(expected, 0), 0u) << refusal;
  }
}

TEST(PlatformFile, UnknownPlatformNamesBuiltinsAndThePath) {
  ParameterSet parameters;
  System::declare_parameters(parameters);  // platform files also give the kernel's costs
  try {
    load_platform_file("no-such-platform", parameters);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("neither a built-in platform (default)"));
  }
}

// The probe's first pass, 64 B writes over 256 KiB, each waiting for the one before: hop 2 ns +
// latency 40 ns + 4 cycles of 938 ps, 4096 of them, and a row miss (28 ns) for each of the 32
// rows of 8 KiB they open.
const sc_core::sc_time kLineWritesOfTheWindow =
    4096 * (sc_core::sc_time(42, sc_core::SC_NS) + sc_core::sc_time(4 * 938, sc_core::SC_PS)) +
    32 * sc_core::sc_time(28, sc_core::SC_NS);

TEST(DefaultPlatform, MemoryProbeMatchesTheClosedFormAndReadsBackItsData) {
  DefaultPlatform platform("platform", default_parameters());
  MemoryProbe probe(platform, 256 * KiB);
  probe.spawn();
  sc_core::sc_start();
  ASSERT_TRUE(probe.finished());
  EXPECT_TRUE(probe.data_ok());
  EXPECT_TRUE(probe.timing_ok());
  ASSERT_EQ(probe.passes().size(), 4u);
  EXPECT_EQ(probe.passes()[0].simulated, kLineWritesOfTheWindow);
  EXPECT_EQ(platform.statistics().find_counter("memory.bytes_written")->value(), 2 * 256 * KiB);
  EXPECT_EQ(platform.statistics().find_counter("memory.bytes_read")->value(), 2 * 256 * KiB);
}

// One platform per process, so DMI on and off are compared through the command line tests
// (tests/sw) and here through the statistics that either run must produce.
TEST(DefaultPlatform, WithoutDmiTheProbeGivesTheSameTimeAndTraffic) {
  ParameterSet parameters = default_parameters();
  parameters.set("sim.dmi", "false", "test");
  DefaultPlatform platform("platform", parameters);
  MemoryProbe probe(platform, 256 * KiB);
  probe.spawn();
  sc_core::sc_start();
  ASSERT_TRUE(probe.finished());
  EXPECT_TRUE(probe.timing_ok());
  EXPECT_EQ(platform.traffic.port.dmi_region_count(), 0u);
  EXPECT_EQ(probe.passes()[0].simulated, kLineWritesOfTheWindow);
  EXPECT_EQ(platform.statistics().find_counter("memory.bytes_written")->value(), 2 * 256 * KiB);
}

}  // namespace
}  // namespace zxvp
