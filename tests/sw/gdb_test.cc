// Debugging guest programs with the real GDB: `zxvp run --gdb 0 --gdb-wait` with Debian's
// gdb-multiarch in batch mode against tests/guest/debuggee (built with zxvp-cc -g -O0). Each test
// starts zxvp (which prints the port it listens on), runs a GDB command file against it, and
// checks what GDB printed and how zxvp ended. A debugger never changes a run's cycles: the JSON
// results and every statistic are the same with and without one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/background_zxvp.h"
#include "tests/support/shell_command.h"

namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

using zxvp::testing::kBackgroundTimeout;
using zxvp::testing::read_file;
using zxvp::testing::temp_path;
using zxvp::testing::word_after;

std::string debuggee() {
  return std::string(ZXVP_GUEST_DIR) + "/debuggee.elf";
}

// zxvp in the background, as the tests start it.
class Zxvp : public zxvp::testing::BackgroundZxvp {
 public:
  explicit Zxvp(const std::vector<std::string>& arguments)
      : BackgroundZxvp(ZXVP_BINARY, arguments) {}
  int port() const { return gdb_port(); }
};

// The decimal number that ends just before the first `marker` in `text`, if there is one.
std::optional<std::uint64_t> number_before(const std::string& text, std::string_view marker) {
  const std::size_t end = text.find(marker);
  if (end == std::string::npos) {
    return std::nullopt;
  }
  std::size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(text[begin - 1])) != 0) {
    --begin;
  }
  if (begin == end) {
    return std::nullopt;
  }
  return std::stoull(text.substr(begin, end - begin));
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// Runs gdb-multiarch in batch mode on the debuggee, connected to `port`, with `commands` (a line
// each, each an -ex of its own, so that one that fails does not stop the others); returns what
// it printed.
std::string gdb(int port, const std::string& commands) {
  std::string command = "timeout " + std::to_string(kBackgroundTimeout.count()) +
                        " gdb-multiarch -nx -batch -ex 'set pagination off' -ex 'set confirm off'"
                        " -ex 'set width 0' -ex 'target remote 127.0.0.1:" +
                        std::to_string(port) + "'";
  size_t start = 0;
  while (start < commands.size()) {
    const size_t end = std::min(commands.find('\n', start), commands.size());
    if (end > start)
      command.append(" -ex ").append(shell_quote(commands.substr(start, end - start)));
    start = end + 1;
  }
  command.append(" ").append(debuggee()).append(" 2>&1");
  return zxvp::testing::run_shell(command).output;
}

struct Session {
  std::string gdb;    // what GDB printed
  std::string out;    // the program's console
  std::string error;  // zxvp's lines
  int status = -1;    // zxvp's exit status
};

// zxvp run [options] --gdb 0 --gdb-wait debuggee [program arguments], debugged with `commands`.
Session debug(const std::string& commands, const std::vector<std::string>& options = {},
              const std::vector<std::string>& program_arguments = {}) {
  std::vector<std::string> arguments{"run"};
  arguments.insert(arguments.end(), options.begin(), options.end());
  for (const char* option : {"--gdb", "0", "--gdb-wait"})
    arguments.emplace_back(option);
  arguments.push_back(debuggee());
  arguments.insert(arguments.end(), program_arguments.begin(), program_arguments.end());
  Zxvp zxvp(arguments);
  Session session;
  const int port = zxvp.port();
  if (port == 0) {
    session.error = zxvp.error();
    return session;
  }
  session.gdb = gdb(port, commands);
  session.status = zxvp.wait();
  session.out = zxvp.out();
  session.error = zxvp.error();
  return session;
}

TEST(GdbDebugging, BreaksInAFunctionReadsALocalAndAGlobalAndStepsOverAVmoWrite) {
  const Session session = debug(
      "break accumulate\n"
      "continue\n"
      "info registers pc\n"
      "finish\n"
      "next\n"
      "print total\n"
      "print sum\n"
      "next\n"
      "print status\n"
      "continue\n");
  EXPECT_EQ(session.status, 3) << session.error << session.gdb;
  EXPECT_THAT(session.gdb, HasSubstr("Breakpoint 1, accumulate (n=10)"));
  EXPECT_THAT(session.gdb, HasSubstr("Value returned is $1 = 55"));
  EXPECT_THAT(session.gdb, HasSubstr("$2 = 55"));  // the global, updated by accumulate
  EXPECT_THAT(session.gdb, HasSubstr("$3 = 55"));  // main's local
  // `next` over the line of zx_vmo_write (its ecall included): it returned ZX_OK.
  EXPECT_THAT(session.gdb, HasSubstr("27\t  zx_status_t status = zx_vmo_write("));
  EXPECT_THAT(session.gdb, HasSubstr("28\t  status |= zx_vmo_read("));
  EXPECT_THAT(session.gdb, HasSubstr("$4 = 0"));
  EXPECT_THAT(session.gdb, HasSubstr("exited with code 03"));
  EXPECT_EQ(session.out, "written by the kernel: 55, status 0\n");
}

TEST(GdbDebugging, AWatchpointOnABufferStopsWhenZxVmoReadFillsIt) {
  const Session session = debug(
      "watch filled_by_kernel[0]\n"
      "continue\n"
      "print filled_by_kernel\n"
      "delete\n"
      "continue\n");
  EXPECT_EQ(session.status, 3) << session.error << session.gdb;
  EXPECT_THAT(session.gdb, HasSubstr("Hardware watchpoint 1: filled_by_kernel[0]"));
  EXPECT_THAT(session.gdb, HasSubstr("Old value = 0 '\\000'"));
  EXPECT_THAT(session.gdb, HasSubstr("New value = 119 'w'"));
  EXPECT_THAT(session.gdb, HasSubstr("= \"written by the kernel"));
  EXPECT_THAT(session.gdb, HasSubstr("exited with code 03"));
}

TEST(GdbDebugging, AFaultStopsWithSigsegvAtTheFaultingInstruction) {
  const Session session = debug(
      "continue\n"
      "x/i $pc\n"
      "continue\n",
      {}, {"fault"});
  EXPECT_EQ(session.status, 1) << session.error << session.gdb;
  EXPECT_THAT(session.gdb, HasSubstr("Program received signal SIGSEGV"));
  EXPECT_THAT(session.gdb, HasSubstr("*(volatile int*)0x1000 = sum;"));
  // GDB's pc is the one zxvp's report names.
  const std::string pc = word_after(session.error, "killed at pc ", "0123456789abcdefx");
  ASSERT_FALSE(pc.empty()) << session.error;
  EXPECT_THAT(session.error, HasSubstr("killed at pc " + pc + " (sw "));
  EXPECT_THAT(session.gdb, HasSubstr(std::string("=> ").append(pc).append(" <main+")));
  EXPECT_THAT(session.gdb, HasSubstr("sw\ta4,0(a5)"));
  EXPECT_THAT(session.gdb, HasSubstr("Program terminated with signal SIGSEGV"));
}

TEST(GdbDebugging, TheProgramsOwnEbreakStopsWithSigtrapAndGoesOnAfterIt) {
  const Session session = debug(
      "continue\n"
      "x/i $pc\n"
      "continue\n",
      {}, {"ebreak"});
  EXPECT_EQ(session.status, 3) << session.error << session.gdb;
  EXPECT_THAT(session.gdb, HasSubstr("Program received signal SIGTRAP"));
  EXPECT_THAT(session.gdb, HasSubstr("ebreak"));
  EXPECT_THAT(session.gdb, HasSubstr("exited with code 03"));
  EXPECT_EQ(session.out, "written by the kernel: 55, status 0\n");
}

TEST(GdbDebugging, TheCyclesAndStatisticsOfARunAreTheSameWithAndWithoutTheDebugger) {
  const std::string plain_json = temp_path("plain.json");
  const std::string plain_stats = temp_path("plain_stats.json");
  Zxvp plain({"run", "--json", plain_json, "--stats", plain_stats, debuggee()});
  ASSERT_EQ(plain.wait(), 3) << plain.error();
  const std::string debugged_json = temp_path("debugged.json");
  const std::string debugged_stats = temp_path("debugged_stats.json");
  // Breakpoints, steps, a watchpoint, memory and register reads (of a stack page the program
  // has not touched too: reading it commits nothing), monitor commands.
  const Session session = debug(
      "break accumulate\n"
      "break zx_vmo_read\n"
      "continue\n"
      "stepi\n"
      "next\n"
      "print local_sum\n"
      "x/8xw $sp\n"
      "x/2xw $sp - 524288\n"
      "info registers\n"
      "continue\n"
      "watch filled_by_kernel[4]\n"
      "monitor cycles\n"
      "monitor stats hart0\n"
      "continue\n"
      "monitor vmos\n"
      "continue\n",
      {"--json", debugged_json, "--stats", debugged_stats});
  ASSERT_EQ(session.status, 3) << session.error << session.gdb;
  EXPECT_THAT(session.gdb, HasSubstr("Breakpoint 2, "));
  EXPECT_THAT(session.gdb, HasSubstr("New value = 116 't'"));
  // The program's own path is the same: the JSON results must be identical, byte for byte.
  EXPECT_EQ(read_file(plain_json), read_file(debugged_json));
  EXPECT_EQ(read_file(plain_stats), read_file(debugged_stats));
  for (const std::string& path : {plain_json, plain_stats, debugged_json, debugged_stats})
    std::filesystem::remove(path);
}

TEST(GdbDebugging, MonitorCommandsShowCyclesStatisticsAndVmos) {
  const Session session = debug(
      "break accumulate\n"
      "continue\n"
      "monitor cycles\n"
      "monitor stats hart0.instructions\n"
      "monitor vmos\n"
      "monitor help\n"
      "monitor frobnicate\n"
      "continue\n");
  EXPECT_EQ(session.status, 3) << session.error << session.gdb;
  EXPECT_THAT(session.gdb, HasSubstr("cycle "));
  EXPECT_THAT(session.gdb, HasSubstr("last kernel entry: vmo_create -> ZX_OK"));
  EXPECT_THAT(session.gdb, HasSubstr("hart0.instructions "));
  EXPECT_THAT(session.gdb, HasSubstr("mappings of 'debuggee':"));
  EXPECT_THAT(session.gdb, HasSubstr("0x10000000-"));
  EXPECT_THAT(session.gdb, HasSubstr("VMO handles:"));
  EXPECT_THAT(session.gdb, HasSubstr("stats [PREFIX]"));
  EXPECT_THAT(session.gdb, HasSubstr("unknown monitor command 'frobnicate'"));
}

TEST(GdbDebugging, TheCountersAreRegistersAndMemoryOutsideTheProcessIsAnError) {
  const Session session = debug(
      "break accumulate\n"
      "continue\n"
      "print $instret > 0\n"
      "print $cycle > $instret\n"
      "print $instret = 5\n"
      "print $pc\n"
      "x/2xw 0x1000\n"
      "x/2xw 0xffff800000000000\n"
      "set var *(int*)0x1000 = 1\n"
      "continue\n");
  EXPECT_EQ(session.status, 3) << session.error << session.gdb;
  EXPECT_THAT(session.gdb, HasSubstr("$1 = 1"));
  EXPECT_THAT(session.gdb, HasSubstr("$2 = 1"));
  EXPECT_THAT(session.gdb, HasSubstr("Could not write register \"instret\""));
  EXPECT_THAT(session.gdb, HasSubstr("<accumulate+"));  // the session went on
  EXPECT_THAT(session.gdb, HasSubstr("Cannot access memory at address 0x1000"));
  EXPECT_THAT(session.gdb, HasSubstr("Cannot access memory at address 0xffff800000000000"));
  EXPECT_THAT(session.gdb, HasSubstr("exited with code 03"));
}

TEST(GdbDebugging, AMappedPageTheProgramHasNotTouchedReadsAsItsFirstLoadWouldFindIt) {
  // Half a megabyte below the stack pointer: in the 1 MiB stack VMO, never touched yet, so not
  // in the page tables. It reads as zero; writing it would commit a page, which a debugger
  // does not do.
  const Session session = debug(
      "break accumulate\n"
      "continue\n"
      "x/2xw $sp - 524288\n"
      "set var *(int*)($sp - 524288) = 7\n"
      "x/2xw $sp - 524288\n"
      "continue\n");
  EXPECT_EQ(session.status, 3) << session.error << session.gdb;
  EXPECT_THAT(session.gdb, ContainsRegex(":\t0x00000000\t0x00000000\n"));
  EXPECT_THAT(session.gdb, HasSubstr("Cannot access memory at address 0x"));
  EXPECT_THAT(session.gdb, Not(ContainsRegex(":\t0x00000007")));
  EXPECT_THAT(session.gdb, HasSubstr("exited with code 03"));
}

TEST(GdbDebugging, DetachingLetsTheProgramRunToItsEnd) {
  const Session session = debug(
      "break accumulate\n"
      "continue\n"
      "detach\n");
  EXPECT_EQ(session.status, 3) << session.error << session.gdb;
  EXPECT_THAT(session.gdb, HasSubstr("Breakpoint 1, accumulate"));
  EXPECT_EQ(session.out, "written by the kernel: 55, status 0\n");
  EXPECT_THAT(session.error, HasSubstr("'debuggee' exited with 3"));
}

// The report counts every cycle the program ran, those since its last kernel entry too, and does
// not name an instruction it has not fetched.
TEST(GdbDebugging, KillEndsTheProgramAndItsReportCountsItsCycles) {
  // Three thousand instructions of a loop that enters no kernel, then a kill where it stopped.
  const Session session = debug(
      "break debuggee.c:36\n"
      "continue\n"
      "stepi 3000\n"
      "monitor cycles\n"
      "kill\n",
      {}, {"spin"});
  EXPECT_EQ(session.status, 1) << session.error << session.gdb;
  EXPECT_THAT(session.error, HasSubstr("killed by the debugger"));
  EXPECT_THAT(session.error, Not(HasSubstr("(ecall)")));
  EXPECT_EQ(session.out, "");
  const std::optional<std::uint64_t> seen = number_before(session.gdb, " (the core's");
  const std::optional<std::uint64_t> reported = number_before(session.error, " cycles (");
  ASSERT_TRUE(reported) << session.error;
  ASSERT_TRUE(seen) << session.gdb;
  // The core's counter when the debugger asked, less what ran before the program (its process
  // and its loading: a few hundred cycles).
  EXPECT_LE(*reported, *seen);
  EXPECT_GE(*reported + 1000, *seen);
}

TEST(GdbDebugging, WithoutWaitingTheProgramRunsAndADebuggerConnectingStopsIt) {
  // The program spins until a debugger clears keep_spinning.
  Zxvp zxvp({"run", "--gdb", "0", debuggee(), "spin"});
  const int port = zxvp.port();
  ASSERT_NE(port, 0) << zxvp.error();
  const std::string output = gdb(port,
                                 "print keep_spinning\n"
                                 "set var keep_spinning = 0\n"
                                 "continue\n");
  EXPECT_EQ(zxvp.wait(), 3) << zxvp.error() << output;
  EXPECT_THAT(output, HasSubstr("$1 = 1"));
  EXPECT_THAT(output, HasSubstr("exited with code 03"));
  EXPECT_THAT(zxvp.error(), Not(HasSubstr("waiting for gdb")));
}

TEST(GdbDebugging, AScenarioDebugsTheProgramOfTheNamedProcess) {
  const std::string scenario = temp_path("two.yaml");
  std::ofstream(scenario) << "steps:\n"
                          << "  - program: {elf: " << debuggee() << ", process: first, "
                          << "expect_exit: 3}\n"
                          << "  - program: {elf: " << debuggee() << ", process: second, "
                          << "expect_exit: 3}\n";
  // The first program runs undisturbed; GDB sees the second's.
  Zxvp zxvp({"run", "--gdb", "0", "--gdb-wait", "--gdb-process", "second", scenario});
  const int port = zxvp.port();
  ASSERT_NE(port, 0) << zxvp.error();
  const std::string output = gdb(port, "print $pc\ncontinue\n");
  EXPECT_EQ(zxvp.wait(), 0) << zxvp.error();
  EXPECT_THAT(output, HasSubstr("exited with code 03"));
  EXPECT_THAT(zxvp.out(), HasSubstr("first"));
  EXPECT_THAT(zxvp.error(), HasSubstr("'second' stopped, waiting for gdb"));
  EXPECT_THAT(zxvp.error(), Not(HasSubstr("'first' stopped")));
  std::filesystem::remove(scenario);
}

TEST(GdbDebugging, BadOptionsAreRefusedBeforeAnythingRuns) {
  Zxvp bad_port({"run", "--gdb", "70000", debuggee()});
  EXPECT_EQ(bad_port.wait(), 2);
  EXPECT_THAT(bad_port.error(), HasSubstr("not a port number"));
  Zxvp wait_alone({"run", "--gdb-wait", debuggee()});
  EXPECT_EQ(wait_alone.wait(), 2);
  EXPECT_THAT(wait_alone.error(), HasSubstr("go with --gdb PORT"));
}

}  // namespace
