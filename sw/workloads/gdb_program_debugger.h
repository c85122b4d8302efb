#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/debug/gdb_server.h"
#include "sim/debug/gdb_stub.h"
#include "sim/debug/gdb_target.h"
#include "sw/kernel/program_debugger.h"
#include "sw/workloads/system.h"

namespace zxvp {

struct GdbDebugOptions {
  uint16_t port = 0;    // 0: a free port (port() says which)
  bool wait = false;    // stop before the first instruction until a debugger attaches
  std::string process;  // the process to debug; empty: the first program's
};

// `zxvp run --gdb PORT`: GDB debugs a guest program through the remote protocol. The program is
// one thread; its registers are the hart's x0-x31 and pc (GDB's org.gnu.gdb.riscv.cpu) and its
// counters cycle, time and instret (org.gnu.gdb.riscv.csr, read-only); its memory is read and
// written through the process's page tables with the debug transport (no time, no statistics;
// an address the tables do not map for the access is an error). Breakpoints and watchpoints are
// the hart's (no code is patched). `monitor cycles`, `monitor stats [PREFIX]`, `monitor vmos`.
class GdbProgramDebugger : public ProgramDebugger, public GdbTarget {
 public:
  // Listens at once (throws boost::system::system_error when the port cannot be had).
  GdbProgramDebugger(System& system, const GdbDebugOptions& options);

  uint16_t port() const { return server_.port(); }

  // ProgramDebugger
  bool attach(Process& process) override;
  bool waits() const override { return options_.wait; }
  ProgramResume stopped(const ProgramStop& stop) override;
  bool poll(ProgramStop::Reason* reason) override;
  void ended(const ProgramOutcome& outcome) override;

  // GdbTarget
  std::string_view architecture() const override { return "riscv:rv64"; }
  const std::vector<GdbRegister>& registers() const override { return registers_; }
  bool read_register(unsigned number, uint64_t* value) override;
  bool write_register(unsigned number, uint64_t value) override;
  size_t read_memory(uint64_t address, uint8_t* data, size_t length) override;
  bool write_memory(uint64_t address, const uint8_t* data, size_t length) override;
  bool insert_point(Point type, uint64_t address, uint64_t length) override;
  bool remove_point(Point type, uint64_t address, uint64_t length) override;
  std::string monitor(std::string_view command) override;

 private:
  // The physical address behind user address `address`, from the process's page tables read
  // with the debug transport; none when they do not map it for a user `write` (or read).
  std::optional<uint64_t> translate(uint64_t address, bool write);
  // A piece of a page that the program has mapped but not touched yet (no page-table entry):
  // what its first read would find, from the mapping's VMO, committing nothing (zeros for a page
  // never written). False when no readable mapping of memory (not a device) holds the address.
  bool read_untouched(uint64_t address, uint8_t* data, size_t length);
  // GDB went away: the program runs free of breakpoints and watchpoints.
  void forget_points();
  std::string monitor_cycles();
  std::string monitor_stats(std::string_view prefix);
  std::string monitor_vmos();

  System& system_;
  Rv64Hart& hart_;
  GdbDebugOptions options_;
  std::vector<GdbRegister> registers_;
  GdbStub stub_;
  GdbServer server_;
  bool taken_ = false;          // a program was debugged: later ones are not
  Process* process_ = nullptr;  // the program's, while it runs
  int fatal_signal_ = 0;        // the signal of a stop that kills the program when resumed
  std::map<uint64_t, Point> breakpoints_;  // by address: software or hardware
};

}  // namespace zxvp
