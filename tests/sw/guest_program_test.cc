// Guest programs through the command line: `zxvp run PROGRAM.elf ARGS...` runs the example
// programs built with zxvp-cc (their console on stdout, zxvp's lines on stderr), refuses bad
// files before anything runs, kills faulting programs with a report, and its outputs agree with
// what the programs measured themselves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/background_zxvp.h"
#include "tests/support/shell_command.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Result {
  int status = -1;
  std::string out;    // the programs' console
  std::string error;  // zxvp's own lines
};

using zxvp::testing::read_file;
using zxvp::testing::temp_path;

Result zxvp(const std::string& arguments) {
  const std::string error_path = temp_path("stderr");
  const zxvp::testing::ShellResult shell =
      zxvp::testing::run_shell(std::string(ZXVP_BINARY) + " " + arguments + " 2>" + error_path);
  Result result{shell.status, shell.output, read_file(error_path)};
  std::filesystem::remove(error_path);
  return result;
}

std::string guest(const std::string& name) {
  return std::string(ZXVP_GUEST_DIR) + "/" + name + ".elf";
}

boost::json::value read_json(const std::string& path) {
  return boost::json::parse(read_file(path));
}

TEST(GuestProgram, HelloPrintsOnTheConsoleWithItsArguments) {
  const Result run = zxvp("run " + guest("hello") + " one \"two words\"");
  EXPECT_EQ(run.status, 0) << run.error;
  EXPECT_EQ(run.out, "Hello, world!\nargument 1: one\nargument 2: two words\n");
  EXPECT_THAT(run.error, HasSubstr("'hello' exited with 0:"));
  EXPECT_THAT(run.error, HasSubstr("instructions"));
}

// zxvp-cc takes the compiler zxvp was built with, or $ZXVP_GUEST_CC, or the first on PATH when
// that one is gone; with none it says what to install.
TEST(GuestProgram, ZxvpCcFindsTheCompilerOnPathWhenItsOwnIsGoneAndSaysWhatToInstallWithout) {
  const std::string elf = temp_path("hello.elf");
  const std::string compile = std::string(ZXVP_CC) + " -O2 " + ZXVP_SOURCE_DIR +
                              "/sw/sdk/examples/hello.c -o " + elf + " 2>&1";
  const zxvp::testing::ShellResult found =
      zxvp::testing::run_shell("ZXVP_GUEST_CC=/nonexistent/riscv64-unknown-elf-gcc " + compile);
  ASSERT_EQ(found.status, 0) << found.output;
  const Result run = zxvp("run " + elf);
  EXPECT_EQ(run.status, 0) << run.error;
  EXPECT_THAT(run.out, HasSubstr("Hello, world!"));
  std::filesystem::remove(elf);
  const zxvp::testing::ShellResult none = zxvp::testing::run_shell(
      "env PATH=/nonexistent ZXVP_GUEST_CC=/nonexistent/riscv64-unknown-elf-gcc /bin/bash " +
      compile);
  EXPECT_EQ(none.status, 127);
  EXPECT_THAT(none.output, HasSubstr("/nonexistent/riscv64-unknown-elf-gcc is not there"));
  EXPECT_THAT(none.output, HasSubstr("apt-get install gcc-riscv64-unknown-elf"));
  EXPECT_FALSE(std::filesystem::exists(elf));
}

TEST(GuestProgram, JsonHasTheExitTheCountsAndEveryKernelEntryWithItsBreakdown) {
  const std::string json = temp_path("hello.json");
  const Result run = zxvp("run --json " + json + " " + guest("hello"));
  ASSERT_EQ(run.status, 0) << run.error;
  const auto result = read_json(json).as_object();
  std::filesystem::remove(json);
  EXPECT_EQ(result.at("exit").at("end").as_string(), "exited");
  EXPECT_EQ(result.at("exit").at("code").as_int64(), 0);
  EXPECT_GT(result.at("instructions").to_number<uint64_t>(), 1000u);
  const uint64_t cycles = result.at("cycles").to_number<uint64_t>();
  uint64_t phases = 0;
  for (const auto& [phase, value] : result.at("breakdown").as_object())
    phases += value.to_number<uint64_t>();
  EXPECT_EQ(phases, cycles);
  // The loader's calls first, then the program's: its start-up maps the heap, printf writes the
  // console, exit ends it.
  std::vector<std::string> names;
  bool loading = true;
  for (const auto& entry : result.at("calls").as_array()) {
    const auto& call = entry.as_object();
    uint64_t sum = 0;
    for (const auto& [phase, value] : call.at("breakdown").as_object())
      sum += value.to_number<uint64_t>();
    EXPECT_EQ(sum, call.at("cycles").to_number<uint64_t>()) << call.at("name").as_string();
    if (loading && !call.at("loader").as_bool()) loading = false;
    EXPECT_TRUE(loading || !call.at("loader").as_bool()) << "loader calls come first";
    if (!call.at("loader").as_bool()) names.emplace_back(call.at("name").as_string().c_str());
  }
  EXPECT_THAT(names, ::testing::Contains("vmo_create"));
  EXPECT_THAT(names, ::testing::Contains("vmar_map"));
  EXPECT_THAT(names, ::testing::Contains("debug_write"));
  EXPECT_THAT(names, ::testing::Contains("page_fault"));
  EXPECT_EQ(names.back(), "process_exit");
}

TEST(GuestProgram, StatsHaveTheHartTheCachesAndTheCallsByName) {
  const std::string stats = temp_path("stats.json");
  const Result run = zxvp("run --stats " + stats + " " + guest("hello"));
  ASSERT_EQ(run.status, 0) << run.error;
  const auto result = read_json(stats).as_object();
  std::filesystem::remove(stats);
  const auto& program = result.at("program").as_object();
  const uint64_t instructions = program.at("instructions").to_number<uint64_t>();
  EXPECT_EQ(result.at("hart0").at("instructions").to_number<uint64_t>(), instructions);
  EXPECT_GT(program.at("cpi").to_number<double>(), 0.5);
  EXPECT_GT(result.at("l1i").at("hits").to_number<uint64_t>(), 0u);
  EXPECT_GT(result.at("l1i").at("misses").to_number<uint64_t>(), 0u);
  EXPECT_GT(result.at("l1").at("hits").to_number<uint64_t>(), 0u);
  const auto& calls = program.at("calls").as_object();
  EXPECT_EQ(calls.at("process_exit").at("count").to_number<uint64_t>(), 1u);
  EXPECT_GT(calls.at("debug_write").at("cycles").to_number<uint64_t>(), 0u);
}

TEST(GuestProgram, TraceHasTheCallsAsSlices) {
  const std::string trace = temp_path("trace.json");
  const Result run = zxvp("run --trace " + trace + " " + guest("hello"));
  ASSERT_EQ(run.status, 0) << run.error;
  const std::string text = read_file(trace);
  std::filesystem::remove(trace);
  EXPECT_THAT(text, HasSubstr("\"debug_write\""));
  EXPECT_THAT(text, HasSubstr("\"process_exit\""));
  EXPECT_THAT(text, HasSubstr("\"entry\""));
}

// The sweep's figures, seen by the program with rdcycle, against the kernel model's records of
// the same calls: equal, call for call.
TEST(GuestProgram, VmoWriteSweepSeesTheKernelModelsCycles) {
  const std::string json = temp_path("sweep.json");
  const Result run = zxvp("run --json " + json + " " + guest("vmo_write_sweep"));
  ASSERT_EQ(run.status, 0) << run.error << run.out;
  const auto result = read_json(json).as_object();
  std::filesystem::remove(json);
  std::vector<uint64_t> kernel;
  for (const auto& call : result.at("calls").as_array()) {
    if (call.at("name").as_string() == "vmo_write") {
      kernel.push_back(call.at("cycles").to_number<uint64_t>());
    }
  }
  // The table's rows start with the size ("64 B", "4KiB") and end with the two figures.
  std::vector<uint64_t> seen;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    const size_t first = line.find_first_not_of(' ');
    if (first == std::string::npos || !std::isdigit(static_cast<unsigned char>(line[first]))) {
      continue;
    }
    std::istringstream fields(line);
    std::vector<std::string> words{std::istream_iterator<std::string>(fields),
                                   std::istream_iterator<std::string>()};
    ASSERT_GE(words.size(), 3u) << line;
    seen.push_back(std::stoull(words[words.size() - 2]));
    seen.push_back(std::stoull(words.back()));
  }
  ASSERT_EQ(seen.size(), 18u) << run.out;  // nine sizes, cold and warm
  EXPECT_EQ(seen, kernel);
}

// DMI is for host speed only: the same program takes the same cycles without it.
TEST(GuestProgram, SameCyclesWithDmiOnAndOff) {
  std::vector<boost::json::object> runs;
  for (const char* dmi : {"true", "false"}) {
    const std::string json = temp_path(std::string("dmi_") + dmi + ".json");
    const Result run =
        zxvp("run -p sim.dmi=" + std::string(dmi) + " --json " + json + " " + guest("snapshot"));
    ASSERT_EQ(run.status, 0) << run.error;
    runs.push_back(read_json(json).as_object());
    std::filesystem::remove(json);
  }
  EXPECT_EQ(runs[0].at("cycles"), runs[1].at("cycles"));
  EXPECT_EQ(runs[0].at("instructions"), runs[1].at("instructions"));
  EXPECT_EQ(runs[0].at("calls"), runs[1].at("calls"));
}

TEST(GuestProgram, MemcpyAgainstVmoWriteRunsEverySize) {
  const Result run = zxvp("run " + guest("memcpy_vs_vmo_write"));
  EXPECT_EQ(run.status, 0) << run.error << run.out;
  EXPECT_THAT(run.out, HasSubstr("memcpy cycles"));
  EXPECT_THAT(run.out, HasSubstr("4194304"));
}

TEST(GuestProgram, UncachedVmoIsRefusedWithTheKernelsStatusAndCost) {
  const std::string json = temp_path("uncached.json");
  const Result run = zxvp("run --json " + json + " " + guest("uncached"));
  EXPECT_EQ(run.status, 0) << run.error << run.out;
  // The refused write costs what the kernel model says (entry, checks, exit), seen by rdcycle.
  uint64_t refused_cycles = 0;
  const boost::json::value result = read_json(json);
  for (const auto& call : result.at("calls").as_array()) {
    if (call.at("name").as_string() == "vmo_write" &&
        call.at("status").as_string() == "ZX_ERR_BAD_STATE") {
      refused_cycles = call.at("cycles").to_number<uint64_t>();
      EXPECT_EQ(call.at("breakdown").at("copy").to_number<uint64_t>(), 0u) << "nothing copied";
    }
  }
  std::filesystem::remove(json);
  ASSERT_GT(refused_cycles, 0u);
  EXPECT_THAT(run.out, HasSubstr("zx_vmo_write into the uncached VMO: ZX_ERR_BAD_STATE after " +
                                 std::to_string(refused_cycles) + " cycles"));
  EXPECT_THAT(run.out, HasSubstr("zx_vmo_read from it: ZX_ERR_BAD_STATE"));
}

TEST(GuestProgram, SnapshotForksOnTheFirstWrite) {
  const Result run = zxvp("run " + guest("snapshot"));
  EXPECT_EQ(run.status, 0) << run.error << run.out;
  EXPECT_THAT(run.out, HasSubstr("the child reads \"parent page 0\""));
  EXPECT_THAT(run.out, HasSubstr("(fork-on-write)"));
  EXPECT_THAT(run.out, HasSubstr("the parent still reads \"parent page 0\""));
}

struct FaultCase {
  const char* mode;
  const char* report;
};

TEST(GuestProgram, FaultsKillTheProcessWithAReport) {
  const FaultCase cases[] = {
      {"store-read-only", "faulted: no write permission (ZX_ERR_ACCESS_DENIED)"},
      {"store-protected", "faulted: the mapping does not permit it (ZX_ERR_ACCESS_DENIED)"},
      {"fetch-no-execute", "faulted: no execute permission (ZX_ERR_ACCESS_DENIED)"},
      {"load-unmapped", "load from 0x1000 faulted: not mapped (ZX_ERR_NOT_FOUND)"},
      {"illegal", "(.4byte 0xffffffff): illegal instruction"},
      {"ebreak", "(ebreak): ebreak with no debugger attached"},
      {"misaligned-atomic", "misaligned atomic access at 0x"},
  };
  for (const FaultCase& c : cases) {
    const Result run = zxvp("run " + guest("faults") + " " + c.mode);
    EXPECT_EQ(run.status, 1) << c.mode;
    EXPECT_THAT(run.out, HasSubstr(std::string("faults: ") + c.mode)) << "its output so far";
    EXPECT_THAT(run.out, Not(HasSubstr("still running")));
    EXPECT_THAT(run.error, HasSubstr("process 'faults' killed at pc 0x1")) << c.mode;
    EXPECT_THAT(run.error, HasSubstr(c.report)) << c.mode << ": " << run.error;
  }
}

TEST(GuestProgram, MaxInstructionsStopsARunawayProgram) {
  const Result run = zxvp("run --max-instructions 1000 " + guest("hello"));
  EXPECT_EQ(run.status, 1);
  EXPECT_THAT(run.error, HasSubstr("stopped after 1000 instructions"));
  EXPECT_THAT(run.error, HasSubstr("; 1000 instructions, "));  // with the figures, as a kill
  EXPECT_THAT(run.out, Not(HasSubstr("Hello")));
  const Result bad = zxvp("run --max-instructions lots " + guest("hello"));
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.error, HasSubstr("guest.max_instructions"));
}

// A copy of hello.elf with some bytes changed, refused before anything runs.
struct Refusal {
  std::string name;
  std::string reason;
  std::function<void(std::vector<uint8_t>&)> change;
};

template <typename T>
void put(std::vector<uint8_t>& bytes, size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}
template <typename T>
T get(const std::vector<uint8_t>& bytes, size_t offset) {
  T value{};
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}
// Offset of the index-th program header of type `type`.
size_t header_of(const std::vector<uint8_t>& bytes, uint32_t type, int index) {
  const auto offset = get<uint64_t>(bytes, 32);
  const auto count = get<uint16_t>(bytes, 56);
  for (uint16_t i = 0; i < count; ++i) {
    const size_t at = offset + i * 56u;
    if (get<uint32_t>(bytes, at) == type && index-- == 0) return at;
  }
  ADD_FAILURE() << "no such program header";
  return offset;
}

TEST(GuestProgram, BadProgramsAreRefusedBeforeAnythingRuns) {
  const std::string source = read_file(guest("hello"));
  const std::vector<uint8_t> original(source.begin(), source.end());
  const Refusal refusals[] = {
      {"text", "not an ELF file",
       [](auto& b) {
         b.assign({'h', 'i', '\n'});
       }},
      {"truncated", "a truncated ELF file", [](auto& b) { b.resize(40); }},
      {"elf32", "a 32-bit ELF file", [](auto& b) { b[4] = 1; }},
      {"x86", "an ELF file for another machine (x86-64)",
       [](auto& b) { put<uint16_t>(b, 18, 62); }},
      {"dynamic", "dynamically linked", [](auto& b) { put<uint32_t>(b, header_of(b, 1, 1), 3); }},
      {"overlapping", "overlap",
       [](auto& b) {
         const size_t text = header_of(b, 1, 0);
         put<uint64_t>(b, header_of(b, 1, 1) + 16, get<uint64_t>(b, text + 16) + 0x10);
       }},
      {"kernel_half", "is outside the user address space",
       [](auto& b) { put<uint64_t>(b, header_of(b, 1, 2) + 16, 0xffff'8000'0000'0000); }},
      {"low", "is outside the user address space",
       [](auto& b) { put<uint64_t>(b, header_of(b, 1, 0) + 16, 0x1000); }},
      {"entry", "the entry point 0x20000000 is outside the program's segments",
       [](auto& b) { put<uint64_t>(b, 24, 0x2000'0000); }},
      {"odd_entry", "is odd (RV64IMAC instructions lie on 2-byte boundaries)",
       [](auto& b) { put<uint64_t>(b, 24, get<uint64_t>(b, 24) + 1); }},
      {"on_the_stack", "overlaps the stack [0x7feffff00000, 0x7ff000000000)",
       [](auto& b) { put<uint64_t>(b, header_of(b, 1, 2) + 16, 0x7fef'ffff'0000); }},
  };
  for (const Refusal& refusal : refusals) {
    std::vector<uint8_t> bytes = original;
    refusal.change(bytes);
    const std::string path = temp_path(refusal.name + ".elf");
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    const Result run = zxvp("run " + path);
    std::filesystem::remove(path);
    EXPECT_EQ(run.status, 2) << refusal.name;
    EXPECT_THAT(run.error, HasSubstr(path + ": ")) << refusal.name;
    EXPECT_THAT(run.error, HasSubstr(refusal.reason)) << refusal.name << ": " << run.error;
    EXPECT_EQ(run.out, "") << refusal.name << ": nothing ran";
  }
  const Result crowded =
      zxvp("run -p guest.stack_size=8KiB " + guest("hello") + " " + std::string(5000, 'x'));
  EXPECT_EQ(crowded.status, 2);
  EXPECT_THAT(crowded.error, HasSubstr("leave less than a page of the 8192-byte stack"));
  EXPECT_EQ(crowded.out, "");
  const Result missing = zxvp("run /nonexistent/program.elf");
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.error, HasSubstr("/nonexistent/program.elf: cannot open the program"));
}

TEST(GuestProgram, ScenarioMixesProgramsWithCallsAndGoesOnAfterAKill) {
  const std::string scenario = temp_path("programs.yaml");
  std::ofstream(scenario)
      << "name: programs-and-calls\nsteps:\n"
         "  - vmo_create: {size: 4096, out: v, process: other}\n"
         "  - program: {elf: " +
             guest("faults") +
             ", args: [load-unmapped], process: bad, expect_exit: "
             "ZX_TASK_RETCODE_EXCEPTION_KILL}\n"
             "  - program: {elf: " +
             guest("hello") +
             ", args: [x], process: good}\n"
             "  - vmo_get_size: {handle: v, process: other, expect_size: 4096}\n"
             "  - program: {elf: " +
             guest("faults") + ", args: [nothing], expect_exit: 2}\n";
  const std::string json = temp_path("programs.json");
  const Result run = zxvp("run " + scenario + " --json " + json);
  EXPECT_EQ(run.status, 0) << run.out << run.error;
  // Several processes share the console: each line says whose it is.
  EXPECT_THAT(run.out, HasSubstr("bad: faults: load-unmapped\n"));
  EXPECT_THAT(run.out, HasSubstr("good: Hello, world!\ngood: argument 1: x\n"));
  EXPECT_THAT(run.out, HasSubstr("main: unknown fault 'nothing'\n"));
  EXPECT_THAT(run.out, HasSubstr("summary: 5 steps, 0 failed"));
  const auto result = read_json(json).as_object();
  const auto& steps = result.at("steps").as_array();
  EXPECT_EQ(steps[1].at("status").as_string(), "killed");
  EXPECT_EQ(steps[1].at("return_code").as_int64(), -1028);
  EXPECT_THAT(std::string(steps[1].at("note").as_string()), HasSubstr("not mapped"));
  EXPECT_EQ(steps[2].at("status").as_string(), "exited");
  EXPECT_GT(steps[2].at("breakdown").at("user").to_number<uint64_t>(), 0u);
  std::filesystem::remove(scenario);
  std::filesystem::remove(json);

  // A program that is no ELF refuses the scenario, with the place.
  std::ofstream(scenario) << "steps:\n  - program: {elf: " << scenario << "}\n";
  const Result refused = zxvp("run " + scenario);
  EXPECT_EQ(refused.status, 2);
  EXPECT_THAT(refused.error + refused.out, HasSubstr(scenario + ":2:"));
  EXPECT_THAT(refused.error + refused.out, HasSubstr("not an ELF file"));
  std::filesystem::remove(scenario);
}

}  // namespace
