#include "sw/kernel/program_runner.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "models/cpu/rv64_disassembler.h"
#include "sim/params/units.h"
#include "sw/api/zircon/constants.h"
#include "sw/kernel/program_loader.h"
#include "sw/kernel/syscall_dispatch.h"

namespace zxvp {

namespace {

constexpr unsigned kT0 = 5;
constexpr unsigned kSp = 2;
constexpr unsigned kA0 = 10;
// How often a debugged program looks at its debugger's connection (a Ctrl-C, a new debugger):
// a few hundred microseconds of the host's time.
constexpr uint64_t kDebugPollInstructions = 1 << 16;

std::string_view access_name(AccessType access) {
  switch (access) {
    case AccessType::read:
      return "load from";
    case AccessType::write:
      return "store to";
    case AccessType::execute:
      return "fetch from";
  }
  return "access to";
}

}  // namespace

void ProgramConfig::bind(ParameterBinding& binding) {
  binding.field("stack_size", stack_size,
                UnsignedSpec{"bytes",
                             "the stack VMO of a guest program (its top page at least holds the "
                             "arguments, and a page is left below them)",
                             8 * KiB, GiB, 4 * KiB});
  binding.field("max_instructions", max_instructions,
                UnsignedSpec{"instructions",
                             "a guest program retiring this many instructions is stopped (0: "
                             "no limit; zxvp run --max-instructions sets it)",
                             0, std::numeric_limits<uint64_t>::max()});
}

std::string_view program_end_name(ProgramOutcome::End end) {
  switch (end) {
    case ProgramOutcome::End::exited:
      return "exited";
    case ProgramOutcome::End::killed:
      return "killed";
    case ProgramOutcome::End::stopped:
      return "stopped";
    case ProgramOutcome::End::not_loaded:
      return "not loaded";
  }
  return "unknown";
}

ProgramRunner::ProgramRunner(Kernel& kernel, Rv64Hart& hart, const ProgramConfig& config)
    : kernel_(kernel), hart_(hart), config_(config) {
  kernel_.add_observer([this](const CallRecord& record) {
    if (outcome_ == nullptr) return;
    for (size_t phase = 0; phase < kCyclePhaseCount; ++phase)
      outcome_->breakdown[phase] += record.breakdown[phase];
    ++outcome_->kernel_entries;
    // Names are the kernel's string literals: the same call has the same pointer.
    auto total = std::find_if(outcome_->totals.begin(), outcome_->totals.end(),
                              [&](const ProgramOutcome::CallTotal& t) {
                                return t.name.data() == record.name.data() || t.name == record.name;
                              });
    if (total == outcome_->totals.end()) {
      total = outcome_->totals.insert(outcome_->totals.end(), {record.name, 0, 0});
    }
    ++total->count;
    total->cycles += record.cycles;
    if (keep_calls_) outcome_->calls.push_back(record);
  });
  // The kernel's copies into pages the hart decoded code from: the code must be decoded anew.
  kernel_.add_write_observer(
      [this](uint64_t physical, uint64_t length) { hart_.invalidate_code(physical, length); });
  // The kernel's user copies for a debugged program's calls, for its watchpoints.
  kernel_.add_user_access_observer(
      [this](const Process& process, uint64_t address, uint64_t length, AccessType access) {
        if (&process == debugged_) {
          hart_.note_software_access(address, length, access == AccessType::write);
        }
      });
}

std::string ProgramRunner::report(const std::string& cause) const {
  std::string text = "at pc " + format_hex(hart_.pc());
  if (const Rv64Instruction* instruction = hart_.stop_instruction()) {
    text += " (" + rv64_disassemble(*instruction, hart_.pc()) + ")";
  }
  return text + ": " + cause;
}

ProgramOutcome ProgramRunner::run(Process& process, const ElfImage& image,
                                  const std::vector<std::string>& arguments) {
  ProgramOutcome outcome;
  outcome_ = &outcome;
  CpuCore& cpu = kernel_.cpu();
  outcome.start_cycle = cpu.cycles();
  ProgramDebugger* debugger = nullptr;
  auto finish = [&](ProgramOutcome::End end) {
    outcome.end = end;
    if (end == ProgramOutcome::End::killed) outcome.return_code = ZX_TASK_RETCODE_EXCEPTION_KILL;
    if (debugger != nullptr) debugger->ended(outcome);
    debugged_ = nullptr;
    hart_.publish_statistics();
    outcome.instructions = hart_.instructions_retired();
    kernel_.console().finish(process.name());
    kernel_.destroy_process(process);
    outcome.cycles = cpu.cycles() - outcome.start_cycle;
    const uint64_t kernel_cycles =
        std::accumulate(outcome.breakdown.begin(), outcome.breakdown.end(), uint64_t{0});
    outcome.breakdown[static_cast<size_t>(CyclePhase::user)] = outcome.cycles - kernel_cycles;
    outcome_ = nullptr;
    return std::move(outcome);
  };

  ProgramLoader loader(kernel_, process);
  ProgramEntry entry;
  hart_.reset(image.entry);
  if (!loader.load(image, arguments, config_.stack_size, &entry)) {
    outcome.report = "could not be loaded: " + loader.failure().call + " returned " +
                     zx_status_get_string(loader.failure().status);
    return finish(ProgramOutcome::End::not_loaded);
  }
  outcome.loader_entries = outcome.kernel_entries;
  hart_.set_reg(kSp, entry.stack_pointer);
  hart_.set_reg(kA0, entry.argc);
  hart_.set_reg(kA0 + 1, entry.argv);
  hart_.set_reg(kA0 + 2, entry.root_vmar);

  if (debugger_ != nullptr && debugger_->attach(process)) {
    debugger = debugger_;
    debugged_ = &process;
    hart_.poll_every(kDebugPollInstructions);
  }
  // A stop the debugger sees: false when it killed the program.
  auto debug_stop = [&](ProgramStop::Reason reason) {
    ProgramStop stop{reason};
    if (reason == ProgramStop::Reason::watchpoint) {
      stop.watch_address = hart_.debug_stop().watch_address;
      stop.watch_kind = hart_.debug_stop().watch_kind;
    }
    const ProgramResume resume = debugger->stopped(stop);
    if (resume == ProgramResume::step) hart_.step();
    if (resume != ProgramResume::kill) return true;
    hart_.charge_pending_cycles();
    outcome.report = report("killed by the debugger");
    return false;
  };
  // A stop that kills the program: the debugger sees it first, then the program dies.
  auto fatal = [&](ProgramStop::Reason reason, const std::string& why) {
    if (debugger != nullptr) debugger->stopped({reason});
    outcome.report = why;
    return finish(ProgramOutcome::End::killed);
  };
  if (debugger != nullptr && debugger->waits() && !debug_stop(ProgramStop::Reason::attach)) {
    return finish(ProgramOutcome::End::killed);
  }

  const uint64_t budget = config_.max_instructions == 0 ? std::numeric_limits<uint64_t>::max()
                                                        : config_.max_instructions;
  // A fault the kernel says it served, taken again at once by the same access, would loop.
  HartFault last_fault;
  uint64_t last_fault_at = std::numeric_limits<uint64_t>::max();
  while (true) {
    kernel_.enter(process);
    const HartStop stop = hart_.run(budget - hart_.instructions_retired());
    switch (stop) {
      case HartStop::ecall: {
        std::array<uint64_t, 8> registers{};
        for (unsigned i = 0; i < registers.size(); ++i)
          registers[i] = hart_.reg(kA0 + i);
        const SyscallResult result = dispatch_syscall(kernel_, process, hart_.reg(kT0), registers);
        if (result.exited) {
          outcome.return_code = result.return_code;
          return finish(ProgramOutcome::End::exited);
        }
        hart_.complete_ecall(result.value);
        continue;
      }
      case HartStop::page_fault: {
        const HartFault fault = hart_.fault();
        const zx_status_t status = kernel_.page_fault(process, fault.address, fault.access);
        const bool again = last_fault_at == hart_.instructions_retired() &&
                           last_fault.address == fault.address && last_fault.access == fault.access;
        if (status == ZX_OK && !again) {
          last_fault = fault;
          last_fault_at = hart_.instructions_retired();
          continue;
        }
        // A page the MMU has no entry for may still be mapped, without the permission the
        // access needs (the kernel maps pages as they are touched): the kernel says which.
        const std::string cause = fault.fault == Fault::not_mapped && status == ZX_ERR_ACCESS_DENIED
                                      ? "the mapping does not permit it"
                                      : std::string(fault_name(fault.fault));
        return fatal(ProgramStop::Reason::page_fault,
                     report(std::string(access_name(fault.access)) + " " +
                            format_hex(fault.address) + " faulted: " + cause + " (" +
                            zx_status_get_string(again ? ZX_ERR_INTERNAL : status) + ")"));
      }
      case HartStop::budget:
        outcome.report = report("stopped after " + std::to_string(hart_.instructions_retired()) +
                                " instructions (guest.max_instructions, zxvp run "
                                "--max-instructions)");
        return finish(ProgramOutcome::End::stopped);
      case HartStop::breakpoint:
        if (debugger != nullptr) {
          // The program's own ebreak: a debugger resumes it after the instruction (unless it
          // moved the pc itself).
          const uint64_t at = hart_.pc();
          const uint64_t length = hart_.stop_instruction()->length;
          if (!debug_stop(ProgramStop::Reason::trap)) return finish(ProgramOutcome::End::killed);
          if (hart_.pc() == at) hart_.set_pc(at + length);
          continue;
        }
        outcome.report = report("ebreak with no debugger attached");
        return finish(ProgramOutcome::End::killed);
      case HartStop::illegal_instruction:
        return fatal(ProgramStop::Reason::illegal, report("illegal instruction"));
      case HartStop::misaligned:
      case HartStop::bus_error:
        return fatal(
            ProgramStop::Reason::bus_error,
            report(std::string(hart_stop_name(stop)) + " at " + format_hex(hart_.fault().address)));
      case HartStop::debug: {
        ProgramStop::Reason reason = ProgramStop::Reason::breakpoint;
        switch (hart_.debug_stop().event) {
          case HartDebugStop::Event::breakpoint:
            break;
          case HartDebugStop::Event::step:
            reason = ProgramStop::Reason::step;
            break;
          case HartDebugStop::Event::watchpoint:
            reason = ProgramStop::Reason::watchpoint;
            break;
          case HartDebugStop::Event::poll:
            if (!debugger->poll(&reason)) continue;
            break;
        }
        if (!debug_stop(reason)) return finish(ProgramOutcome::End::killed);
        continue;
      }
    }
  }
}

}  // namespace zxvp
