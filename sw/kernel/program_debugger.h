#pragma once

#include <cstdint>

#include "models/cpu/rv64_hart.h"
#include "sw/kernel/process.h"

namespace zxvp {

struct ProgramOutcome;

// Why a debugged program stopped, before the instruction at the hart's pc.
struct ProgramStop {
  enum class Reason : uint8_t {
    attach,      // a debugger took the program (before its first instruction, or while it ran)
    breakpoint,  // the hart's breakpoint
    step,        // one instruction retired
    watchpoint,  // an instruction, or the kernel for a system call, touched a watched range
    interrupt,   // the debugger asked (Ctrl-C)
    trap,        // an ebreak of the program's own
    page_fault,  // a fault the kernel cannot serve: the program dies if resumed
    illegal,     // an illegal instruction: the program dies if resumed
    bus_error,   // a bus error or a misaligned atomic access: the program dies if resumed
  };
  Reason reason = Reason::attach;
  uint64_t watch_address = 0;
  WatchKind watch_kind = WatchKind::write;
};

// What the program does after a stop.
enum class ProgramResume : uint8_t { run, step, kill };

// A debugger of guest programs, called by ProgramRunner on the thread that runs the program
// (it blocks there, in the host's world, while a person looks: no simulated time passes). It sets
// the hart's breakpoints and watchpoints itself; the runner tells it of stops and asks it what
// to do next.
class ProgramDebugger {
 public:
  virtual ~ProgramDebugger() = default;

  // A program is loaded in `process`, before its first instruction: whether to debug it. When
  // it says yes, the runner calls stopped({attach}) when `waits()`, and polls otherwise.
  virtual bool attach(Process& process) = 0;
  virtual bool waits() const = 0;
  // The hart stopped for the debugger; blocks until the debugger resumes or kills it.
  virtual ProgramResume stopped(const ProgramStop& stop) = 0;
  // Called every few thousand instructions while the program runs: whether the debugger wants
  // it stopped (an interrupt, a new connection), and why.
  virtual bool poll(ProgramStop::Reason* reason) = 0;
  // The program ended (exited, killed, stopped by its budget); its process is still there.
  virtual void ended(const ProgramOutcome& outcome) = 0;
};

}  // namespace zxvp
