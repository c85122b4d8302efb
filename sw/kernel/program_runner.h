#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/cpu/rv64_hart.h"
#include "sim/params/parameter_set.h"
#include "sw/kernel/cycle_account.h"
#include "sw/kernel/elf_image.h"
#include "sw/kernel/kernel.h"
#include "sw/kernel/program_debugger.h"

namespace zxvp {

struct ProgramConfig {
  uint64_t stack_size = uint64_t{1} << 20;
  uint64_t max_instructions = 0;  // 0: no limit

  void bind(ParameterBinding& binding);
};

// How a program ended, and what it cost: from the start of its loading to its end, on the
// core's cycle counter.
struct ProgramOutcome {
  enum class End : uint8_t { exited, killed, stopped, not_loaded };
  End end = End::exited;
  // zx_process_exit's argument; ZX_TASK_RETCODE_EXCEPTION_KILL for a killed program.
  int64_t return_code = 0;
  std::string report;  // why it was killed, stopped or not loaded
  uint64_t instructions = 0;
  uint64_t start_cycle = 0;
  uint64_t cycles = 0;
  // The cycles of every kernel record during the run (loading, calls, page faults), by phase;
  // `user` holds the rest: guest code.
  std::array<uint64_t, kCyclePhaseCount> breakdown{};
  uint64_t kernel_entries = 0;
  uint64_t loader_entries = 0;  // the first kernel entries, made while loading
  // Kernel entries by name (calls, page faults, the loader's calls): how many, how many cycles.
  struct CallTotal {
    std::string_view name;
    uint64_t count = 0;
    uint64_t cycles = 0;
  };
  std::vector<CallTotal> totals;
  std::vector<CallRecord> calls;  // every entry, when keep_calls()
};
std::string_view program_end_name(ProgramOutcome::End end);

// Runs guest programs as processes: loads a static ELF image (ProgramLoader), then runs the hart
// over it on the calling thread (which holds the core), serving what stops it: an ecall goes to
// dispatch_syscall, a page fault to the kernel's fault path (then the instruction runs again).
// A fault the kernel cannot serve, an illegal instruction, a misaligned atomic access or an
// ebreak (no debugger) kill the process with a report (process, pc, instruction, cause,
// address); the instruction budget (ProgramConfig::max_instructions) stops it. Either way the
// process is destroyed at the end, and the platform goes on. With a debugger (set_debugger())
// that takes the program, its stops go to the debugger first: breakpoints, steps, watchpoints,
// ebreak (resumed past it), and the faults that kill the program (which dies when resumed).
class ProgramRunner {
 public:
  ProgramRunner(Kernel& kernel, Rv64Hart& hart, const ProgramConfig& config);

  // Whether outcomes keep every kernel record of the run (each call's breakdown, for --json).
  void keep_calls(bool keep) { keep_calls_ = keep; }
  const ProgramConfig& config() const { return config_; }
  // The debugger asked, for every program from now on, whether it takes it (null: none).
  void set_debugger(ProgramDebugger* debugger) { debugger_ = debugger; }
  ProgramOutcome run(Process& process, const ElfImage& image,
                     const std::vector<std::string>& arguments);

 private:
  // "at pc 0x...: INSTRUCTION: CAUSE".
  std::string report(const std::string& cause) const;

  Kernel& kernel_;
  Rv64Hart& hart_;
  ProgramConfig config_;
  bool keep_calls_ = false;
  ProgramOutcome* outcome_ = nullptr;  // the run in progress, which kernel records go to
  ProgramDebugger* debugger_ = nullptr;
  const Process* debugged_ = nullptr;  // the process of the run in progress, when debugged
};

}  // namespace zxvp
