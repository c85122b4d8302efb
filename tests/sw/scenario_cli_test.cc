// `zxvp run FILE`, `zxvp sweep` and `zxvp merge` as a user runs them: exit statuses, console,
// JSON results, the trace, the VCD, and sweeps local and emitted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <numeric>
#include <sstream>
#include <string>

#include "tests/support/sanitizers.h"
#include "tests/support/shell_command.h"

namespace {

using ::testing::HasSubstr;
using zxvp::testing::kSanitized;

using Result = zxvp::testing::ShellResult;

// stdout and stderr together.
Result shell(const std::string& command) {
  return zxvp::testing::run_shell(command + " 2>&1");
}

Result zxvp(const std::string& arguments) {
  return shell(std::string(ZXVP_BINARY) + " " + arguments);
}

class ScenarioRun : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() / ("zxvp_scenario_" + std::to_string(getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string file(const std::string& name, const std::string& text = "") {
    const auto path = directory_ / name;
    if (!text.empty()) std::ofstream(path) << text;
    return path.string();
  }
  static boost::json::value read_json(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str());
  }
  static std::string example(const std::string& name) {
    return std::string(ZXVP_SOURCE_DIR) + "/sw/workloads/scenarios/" + name;
  }

  std::filesystem::path directory_;
};

TEST_F(ScenarioRun, EveryExampleScenarioPasses) {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(ZXVP_SOURCE_DIR) +
                                                               "/sw/workloads/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    const Result run = zxvp("run " + entry.path().string());
    EXPECT_EQ(run.status, 0) << entry.path() << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(" 0 failed")) << entry.path();
  }
}

TEST_F(ScenarioRun, PrintsALineAStepAndWritesJsonWhoseBreakdownsAddUp) {
  const std::string json = file("results.json");
  const Result run = zxvp("run " + example("vmo_write_statuses.yaml") + " --json " + json);
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_THAT(run.output,
              ::testing::ContainsRegex("vmo_write +ZX_ERR_WRONG_TYPE +ZX_ERR_WRONG_TYPE"));
  const boost::json::value results = read_json(json);
  EXPECT_EQ(results.at("scenario").as_string(), "vmo-write-statuses");
  EXPECT_EQ(results.at("platform").as_string(), "default");
  const auto& steps = results.at("steps").as_array();
  EXPECT_EQ(steps.size(), results.at("summary").at("steps").to_number<size_t>());
  uint64_t total = 0;
  for (const auto& step : steps) {
    for (const char* key : {"index", "process", "op", "status", "expected", "ok", "cycles"}) {
      EXPECT_TRUE(step.as_object().contains(key)) << key;
    }
    uint64_t sum = 0;
    for (const auto& [name, cycles] : step.at("breakdown").as_object()) {
      sum += cycles.to_number<uint64_t>();
    }
    EXPECT_EQ(sum, step.at("cycles").to_number<uint64_t>());
    EXPECT_EQ(step.at("status"), step.at("expected"));
    total += sum;
  }
  EXPECT_EQ(results.at("summary").at("cycles").to_number<uint64_t>(), total);
  EXPECT_EQ(results.at("summary").at("failed").to_number<uint64_t>(), 0u);
}

TEST_F(ScenarioRun, AFailedExpectationExitsOneAndSaysWhatDiffered) {
  const std::string scenario = file("fail.yaml", R"(steps:
  - vmo_create: {size: 4096, out: v}
  - vmo_write: {handle: v, buffer: 0, offset: 0, buffer_size: 1}
  - vmo_get_size: {handle: v, expect_size: 8192}
  - vmo_create: {size: 0xFFFFFFFFFFFFFFFF, out: w, expect: ZX_OK}
  - handle_close: {handle: w}
  - vmar_map: {vmo: v, options: ZX_VM_PERM_READ, len: 4096, out: m}
  - load: {addr: m, bytes: [1]}
)");
  const std::string json = file("fail.json");
  const Result run = zxvp("run " + scenario + " --json " + json);
  EXPECT_EQ(run.status, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("FAILED: returned ZX_ERR_NOT_FOUND, expected ZX_OK"));
  EXPECT_THAT(run.output, HasSubstr("FAILED: size is 4096, expected 8192"));
  EXPECT_THAT(run.output, HasSubstr("FAILED: 'w' is not bound: the step that binds it failed"));
  EXPECT_THAT(run.output, HasSubstr("FAILED: memory differs at byte 0: 0x00, expected 0x01"));
  EXPECT_THAT(run.output, HasSubstr("5 failed"));
  const auto results = read_json(json);
  EXPECT_EQ(results.at("steps").as_array()[4].at("status").as_string(), "(not run)");
  EXPECT_FALSE(results.at("steps").as_array()[4].at("ok").as_bool());
}

TEST_F(ScenarioRun, AnInvalidScenarioExitsTwoBeforeAnyStepRuns) {
  const std::string scenario = file("bad.yaml",
                                    "steps:\n  - vmo_create: {size: 1, out: v}\n"
                                    "  - vmo_frobnicate: {handle: v}\n");
  const Result run = zxvp("run " + scenario);
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.output, HasSubstr("bad.yaml:3:5: unknown operation 'vmo_frobnicate'"));
  EXPECT_THAT(run.output, ::testing::Not(HasSubstr("vmo_create ")));
  const Result missing = zxvp("run " + file("missing.yaml"));
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.output, HasSubstr("cannot open the scenario file"));
  const std::string bad_param = file("param.yaml", "params:\n  memory.sise: 1GiB\nsteps: []\n");
  const Result param = zxvp("run " + bad_param);
  EXPECT_EQ(param.status, 2);
  EXPECT_THAT(param.output, HasSubstr("param.yaml:2:16: unknown parameter 'memory.sise'"));
  const Result platform = zxvp("run " + file("platform.yaml", "platform: nowhere\nsteps: []\n"));
  EXPECT_EQ(platform.status, 2);
  EXPECT_THAT(platform.output, HasSubstr("platform 'nowhere'"));
}

TEST_F(ScenarioRun, ABadPlatformFileIsRefusedWithItsLineAndColumn) {
  const std::string platform = file("small.yaml", "name: small\nparams:\n  sim.dmi: maybe\n");
  const std::string scenario =
      file("on_small.yaml", "platform: small.yaml\nsteps:\n  - vmo_create: {size: 1, out: v}\n");
  const Result run = zxvp("run " + scenario);
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.output,
              HasSubstr(scenario + ": " + platform + ":3:12: parameter 'sim.dmi': value 'maybe'"));
  EXPECT_THAT(run.output, ::testing::Not(HasSubstr("summary:")));
  const Result option = zxvp("run --platform " + platform);
  EXPECT_EQ(option.status, 2);
  EXPECT_THAT(option.output, HasSubstr(platform + ":3:12: parameter 'sim.dmi'"));
}

TEST_F(ScenarioRun, CommandLineParametersOverrideTheScenarios) {
  // The scenario asks for 1 MiB of memory and expects NO_MEMORY; -p gives it 64 MiB.
  const Result small = zxvp("run " + example("vmo_write_no_memory.yaml"));
  EXPECT_EQ(small.status, 0) << small.output;
  const Result large = zxvp("run " + example("vmo_write_no_memory.yaml") + " -p memory.size=64MiB");
  EXPECT_EQ(large.status, 1);
  EXPECT_THAT(large.output, HasSubstr("returned ZX_OK, expected ZX_ERR_NO_MEMORY"));
}

TEST_F(ScenarioRun, TraceHasTheRequiredFieldsNestedPhasesDmaAndCounters) {
  const std::string trace = file("trace.json");
  const Result run = zxvp("run " + example("dma_vs_cpu_crossover.yaml") +
                          " -p kernel.copy_engine=auto --trace " + trace);
  ASSERT_EQ(run.status, 0) << run.output;
  const auto events = read_json(trace).at("traceEvents").as_array();
  std::map<std::string, int> phases;
  std::map<int64_t, std::string> tracks;
  bool nested = false;
  double call_start = -1;
  double call_end = -1;
  for (const auto& value : events) {
    const auto& event = value.as_object();
    for (const char* key : {"name", "ph", "ts", "pid", "tid"}) {
      ASSERT_TRUE(event.contains(key)) << key << " missing in " << boost::json::serialize(event);
    }
    const std::string ph(event.at("ph").as_string());
    ++phases[ph];
    if (ph == "M" && event.at("name") == "thread_name") {
      tracks[event.at("tid").to_number<int64_t>()] =
          event.at("args").at("name").as_string().c_str();
    }
    if (ph == "X") {
      ASSERT_TRUE(event.contains("dur"));
      const double ts = event.at("ts").to_number<double>();
      const double end = ts + event.at("dur").to_number<double>();
      if (event.at("cat") == "syscall") {
        call_start = ts;
        call_end = end;
      } else if (event.at("cat") == "phase") {
        EXPECT_GE(ts, call_start - 1e-9);
        EXPECT_LE(end, call_end + 1e-9);
        nested = true;
      }
    }
  }
  EXPECT_EQ(tracks[1], "cpu0");
  EXPECT_EQ(tracks[2], "dma");
  EXPECT_TRUE(nested);
  EXPECT_GT(phases["C"], 0);
  bool dma_slice = false;
  for (const auto& value : events) {
    dma_slice = dma_slice || (value.at("ph") == "X" && value.at("tid").to_number<int>() == 2);
  }
  EXPECT_TRUE(dma_slice);
}

TEST_F(ScenarioRun, VcdHasTheDmaSignals) {
  const std::string vcd = file("wave.vcd");
  const Result run = zxvp("run " + example("dma_vs_cpu_crossover.yaml") +
                          " -p kernel.copy_engine=dma --vcd " + vcd);
  ASSERT_EQ(run.status, 0) << run.output;
  std::ifstream in(vcd);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("dma_interrupt"));
  EXPECT_THAT(text.str(), HasSubstr("dma_busy"));
  EXPECT_THAT(text.str(), HasSubstr("#"));  // value changes after time 0
}

TEST_F(ScenarioRun, TwoPointSweepWritesCsvRowsAndAPlot) {
  const std::string out = (directory_ / "sweep").string();
  const Result sweep = zxvp("sweep " + example("commit_cost.yaml") +
                            " --sweep kernel.page_alloc_cycles=40,400 -j 2 --out " + out);
  ASSERT_EQ(sweep.status, 0) << sweep.output;
  std::ifstream csv(out + "/results.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("kernel.page_alloc_cycles,step,process,op,status,expected,ok,cycles", 0),
            0u);
  std::map<std::string, uint64_t> commit_of_first_write;
  size_t rows = 0;
  for (std::string line; std::getline(csv, line); ++rows) {
    std::stringstream fields(line);
    std::vector<std::string> columns;
    for (std::string field; std::getline(fields, field, ',');)
      columns.push_back(field);
    ASSERT_EQ(columns.size(), 8u + 13u);  // eight fields, then the thirteen phases
    if (columns[1] == "4") commit_of_first_write[columns[0]] = std::stoull(columns[7 + 6]);
  }
  EXPECT_EQ(rows, 2u * 9u);  // two points, nine steps each
  EXPECT_EQ(commit_of_first_write["400"] - commit_of_first_write["40"], 360u);
  EXPECT_TRUE(std::filesystem::exists(out + "/plot.png"));
  EXPECT_TRUE(std::filesystem::exists(out + "/plot.svg"));
}

// The plot shows the mean cycles of a point's system calls (not its loads and stores), sizes on a
// base-2 axis labelled as typed, and cycles in a unit that needs no exponent.
TEST_F(ScenarioRun, ASweepOverASizePlotsCyclesPerCallOnLogAxes) {
  const std::string out = (directory_ / "sizes").string();
  const Result sweep = zxvp("sweep " + example("commit_cost.yaml") +
                            " --sweep cache.l2.size=256KiB,1MiB,4MiB --out " + out);
  ASSERT_EQ(sweep.status, 0) << sweep.output;
  // From the CSV: each point's calls and their cycles.
  std::map<std::string, std::pair<uint64_t, uint64_t>> calls_and_cycles;
  std::ifstream csv(out + "/results.csv");
  std::string line;
  std::getline(csv, line);
  while (std::getline(csv, line)) {
    std::vector<std::string> columns;
    std::stringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');)
      columns.push_back(field);
    ASSERT_GE(columns.size(), 8u);
    if (columns[3] == "store" || columns[3] == "load") continue;
    ++calls_and_cycles[columns[0]].first;
    calls_and_cycles[columns[0]].second += std::stoull(columns[7]);
  }
  ASSERT_EQ(calls_and_cycles.size(), 3u);
  const auto content = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string script = content(out + "/plot.gp");
  EXPECT_THAT(script, HasSubstr("set logscale x 2"));
  EXPECT_THAT(script, HasSubstr("set format y '%g'"));
  EXPECT_THAT(script, HasSubstr("set key off"));  // one line: the labels say it all
  EXPECT_THAT(script, HasSubstr("per system call (mean of the 8 calls of a point)"));
  const bool kilo = script.find("'kcycles per system call") != std::string::npos;
  EXPECT_TRUE(kilo || script.find("'cycles per system call") != std::string::npos) << script;
  std::stringstream data(content(out + "/plot.dat"));
  const std::map<std::string, double> bytes = {
      {"256KiB", 256.0 * 1024}, {"1MiB", 1024.0 * 1024}, {"4MiB", 4096.0 * 1024}};
  size_t points = 0;
  while (std::getline(data, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream fields(line);
    double x = 0;
    double y = 0;
    std::string label;
    fields >> x >> y >> std::quoted(label);
    ASSERT_TRUE(bytes.count(label)) << line;
    EXPECT_EQ(x, bytes.at(label));
    const auto [calls, cycles] = calls_and_cycles.at(label);
    EXPECT_EQ(calls, 8u);
    EXPECT_NEAR(y * (kilo ? 1000.0 : 1.0), static_cast<double>(cycles) / calls, 0.01);
    ++points;
  }
  EXPECT_EQ(points, 3u);
  EXPECT_TRUE(std::filesystem::exists(out + "/plot.png"));
}

TEST_F(ScenarioRun, ASweepOverNearbyNumbersKeepsLinearAxesFromZeroWithALegendInside) {
  const std::string out = (directory_ / "latency").string();
  const Result sweep =
      zxvp("sweep " + example("snapshot_fork_cost.yaml") +
           " --sweep memory.read_latency_ns=40,80 --sweep kernel.copy_engine=cpu,dma --out " + out);
  ASSERT_EQ(sweep.status, 0) << sweep.output;
  std::ifstream in(out + "/plot.gp");
  std::stringstream script;
  script << in.rdbuf();
  EXPECT_THAT(script.str(), ::testing::Not(HasSubstr("logscale")));
  EXPECT_THAT(script.str(), HasSubstr("set yrange [0:*]"));
  EXPECT_THAT(script.str(), HasSubstr("set key inside"));
  EXPECT_THAT(script.str(), HasSubstr("title 'kernel.copy_engine=dma'"));
}

TEST_F(ScenarioRun, EmittedJobsThenMergeGiveTheSameCsvAsALocalSweep) {
  const std::string local = (directory_ / "local").string();
  const std::string emitted = (directory_ / "emitted").string();
  const std::string axes =
      " --sweep memory.read_latency_ns=40,80 --sweep kernel.copy_engine=cpu,dma";
  ASSERT_EQ(zxvp("sweep " + example("snapshot_fork_cost.yaml") + axes + " --out " + local).status,
            0);
  const Result jobs =
      zxvp("sweep " + example("snapshot_fork_cost.yaml") + axes + " --emit-jobs --out " + emitted);
  ASSERT_EQ(jobs.status, 0) << jobs.output;
  std::stringstream lines(jobs.output);
  size_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_THAT(line, HasSubstr(" run "));
    EXPECT_EQ(shell(line + " > /dev/null").status, 0) << line;
  }
  EXPECT_EQ(count, 4u);
  ASSERT_EQ(zxvp("merge " + emitted).status, 0);
  auto content = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  EXPECT_EQ(content(local + "/results.csv"), content(emitted + "/results.csv"));
  EXPECT_FALSE(content(local + "/results.csv").empty());
}

TEST_F(ScenarioRun, AHundredThousandStepScenarioRunsToTheEndInBoundedMemory) {
  std::string text =
      "name: long\nsteps:\n  - vmo_create: {size: 64KiB, out: v}\n"
      "  - vmo_create: {size: 4KiB, out: b}\n"
      "  - vmar_map: {vmo: b, options: [ZX_VM_PERM_READ, ZX_VM_PERM_WRITE], "
      "len: 4KiB, out: buf}\n";
  for (int i = 3; i < 100'000; ++i) {
    text += i % 2 ? "  - vmo_write: {handle: v, buffer: buf, offset: 8, buffer_size: 64}\n"
                  : "  - vmo_get_size: {handle: v, expect_size: 64KiB}\n";
  }
  const std::string scenario = file("long.yaml", text);
  const Result run = zxvp("run " + scenario);
  ASSERT_EQ(run.status, 0) << run.output.substr(run.output.size() - 500);
  EXPECT_THAT(run.output, HasSubstr("summary: 100000 steps, 0 failed"));
  const size_t at = run.output.find("peak resident ");
  ASSERT_NE(at, std::string::npos);
  // Linear in the file (the YAML tree and a result a step), about 5 KiB a step: no blow-up.
  EXPECT_LT(std::stod(run.output.substr(at + 14)), kSanitized ? 3072.0 : 768.0);
}

// Every file in tests/sw/hostile/ is refused with exit status 2 and the message its first line
// announces ("# expect: ..."), location included; the two with no comment line say why here.
TEST_F(ScenarioRun, EveryHostileFileIsRefusedWithItsLocationAndReason) {
  const std::string directory = std::string(ZXVP_SOURCE_DIR) + "/tests/sw/hostile";
  const std::map<std::string, std::string> uncommented = {
      {"empty.yaml", "empty.yaml: the scenario is empty"},
      {"binary.yaml", "binary.yaml: not a text file (it holds NUL bytes)"},
  };
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    std::string expected;
    if (const auto it = uncommented.find(name); it != uncommented.end()) {
      expected = it->second;
    } else {
      std::ifstream in(entry.path());
      std::getline(in, expected);
      ASSERT_EQ(expected.rfind("# expect: ", 0), 0u) << name;
      expected = expected.substr(10);
    }
    // Run from the directory above, so that the location reads hostile/NAME.
    const Result run = shell("cd " + std::string(ZXVP_SOURCE_DIR) + "/tests/sw && " + ZXVP_BINARY +
                             " run hostile/" + name);
    EXPECT_EQ(run.status, 2) << name << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(expected)) << name;
    EXPECT_THAT(run.output, ::testing::Not(HasSubstr("summary:"))) << name;
    ++files;
  }
  EXPECT_GE(files, 15u);
  const Result missing = zxvp("run " + (directory_ / "no_such_file.yaml").string());
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.output, HasSubstr("no_such_file.yaml: cannot open the scenario file"));
}

TEST_F(ScenarioRun, InputsThatAreNotRegularFilesAreRefusedSayingWhatTheyAre) {
  std::filesystem::create_directories(directory_ / "folder.yaml");
  const Result folder = zxvp("run " + (directory_ / "folder.yaml").string());
  EXPECT_EQ(folder.status, 2);
  EXPECT_THAT(folder.output, HasSubstr("folder.yaml: is a directory, not a scenario file"));
  std::filesystem::create_symlink("/dev/zero", directory_ / "zero.yaml");
  const Result device = zxvp("run " + (directory_ / "zero.yaml").string());
  EXPECT_EQ(device.status, 2);
  EXPECT_THAT(device.output, HasSubstr("zero.yaml: is not a regular file"));
  const Result platform =
      zxvp("run " + file("on_folder.yaml", "platform: folder.yaml\nsteps: []\n"));
  EXPECT_EQ(platform.status, 2);
  EXPECT_THAT(platform.output, HasSubstr("folder.yaml: is a directory, not a platform file"));
  const Result program =
      zxvp("run " + file("program.yaml", "steps:\n  - program: {elf: folder.yaml, args: []}\n"));
  EXPECT_EQ(program.status, 2);
  EXPECT_THAT(program.output, HasSubstr("folder.yaml: is a directory, not a program"));
}

TEST_F(ScenarioRun, OutputFilesAreCheckedBeforeAnythingRuns) {
  const std::string scenario = example("commit_cost.yaml");
  const Result missing_directory =
      zxvp("run " + scenario + " --json " + (directory_ / "nowhere" / "r.json").string());
  EXPECT_EQ(missing_directory.status, 2);
  EXPECT_THAT(missing_directory.output, HasSubstr("--json"));
  EXPECT_THAT(missing_directory.output, HasSubstr("there is no directory"));
  EXPECT_THAT(missing_directory.output, ::testing::Not(HasSubstr("summary:")));
  const Result folder = zxvp("run " + scenario + " --trace " + directory_.string());
  EXPECT_EQ(folder.status, 2);
  EXPECT_THAT(folder.output, HasSubstr("--trace " + directory_.string() + ": is a directory"));
  EXPECT_THAT(folder.output, ::testing::Not(HasSubstr("summary:")));
}

TEST_F(ScenarioRun, ParametersThatDoNotGoTogetherAreRefusedWithTheirKeysAndOrigins) {
  const std::string scenario =
      file("odd_cache.yaml", "params:\n  cache.l1.size: 33KiB\nsteps: []\n");
  const Result cache = zxvp("run " + scenario);
  EXPECT_EQ(cache.status, 2);
  EXPECT_THAT(cache.output, HasSubstr("cache.l1.size = 33KiB (" + scenario +
                                      ":2:18) in "
                                      "cache.l1.ways = 8"));
  EXPECT_THAT(cache.output, HasSubstr("not a power-of-two number of sets"));
  const Result listed = zxvp("params -p mmu.tlb.entries=48");
  EXPECT_EQ(listed.status, 2);
  EXPECT_THAT(listed.output, HasSubstr("mmu.tlb.entries = 48 (-p mmu.tlb.entries=48)"));
  const Result walker = zxvp("run " + example("commit_cost.yaml") + " -p mmu.walker_level=4");
  EXPECT_EQ(walker.status, 2);
  EXPECT_THAT(walker.output, HasSubstr("mmu.walker_level = 4 (-p mmu.walker_level=4) names a "
                                       "level past the last, cache.levels = 3"));
}

TEST_F(ScenarioRun, ASweepWhosePointsMissTheirExpectationsExitsOneWithItsResults) {
  const std::string out = (directory_ / "small").string();
  const Result sweep = zxvp("sweep " + example("dma_vs_cpu_crossover.yaml") +
                            " --sweep memory.size=1MiB,2MiB -j 2 --out " + out);
  EXPECT_EQ(sweep.status, 1) << sweep.output;
  EXPECT_THAT(sweep.output, HasSubstr("point(s) had steps that did not end as expected"));
  EXPECT_TRUE(std::filesystem::exists(out + "/results.csv"));
}

TEST_F(ScenarioRun, BadSweepUsageExitsTwo) {
  EXPECT_EQ(zxvp("sweep " + example("commit_cost.yaml") + " --out x").status, 2);
  EXPECT_EQ(zxvp("sweep " + example("commit_cost.yaml") + " --sweep memory.size --out x").status,
            2);
  const Result bad_value =
      zxvp("sweep " + example("commit_cost.yaml") + " --sweep memory.size=1,2 --out x");
  EXPECT_EQ(bad_value.status, 2);
  EXPECT_THAT(bad_value.output, HasSubstr("memory.size"));
  EXPECT_EQ(zxvp("merge " + (directory_ / "nothing").string()).status, 2);
  const std::string scenario = example("commit_cost.yaml");
  const std::map<std::string, std::string> refused = {
      {"--sweep memory.read_latency_ns=30, --out x", "has an empty value"},
      {"--sweep 'memory.read_latency_ns=30, 60' --out x", "has spaces around it"},
      {"--sweep memory.read_latency_ns=30 --sweep memory.read_latency_ns=60 --out x",
       "memory.read_latency_ns is swept twice"},
      {"--sweep cache.l1.size=32KiB,33KiB --out x",
       "--sweep point cache.l1.size=33KiB: cache.l1.size = 33KiB"},
      {"--sweep memory.read_latency_ns=30 --out " + scenario, "cannot make it a directory"},
      {"--sweep memory.read_latency_ns=30 -j 5000 --out x", "at most 1024 points at a time"},
  };
  for (const auto& [arguments, reason] : refused) {
    const Result run = shell("cd " + directory_.string() + " && " + ZXVP_BINARY + " sweep " +
                             scenario + " " + arguments + " 2>&1");
    EXPECT_EQ(run.status, 2) << arguments << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr(reason)) << arguments;
  }
  EXPECT_FALSE(std::filesystem::exists(directory_ / "x" / "point-0.json"));
}

}  // namespace
