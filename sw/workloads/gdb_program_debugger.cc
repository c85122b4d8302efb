#include "sw/workloads/gdb_program_debugger.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>

#include "models/mmu/page_table_format.h"
#include "sim/params/units.h"
#include "sw/api/zircon/constants.h"
#include "sw/kernel/program_runner.h"
#include "sw/kernel/vm_address_region.h"
#include "sw/kernel/vm_mapping.h"
#include "sw/kernel/vm_object.h"

namespace zxvp {

namespace {

constexpr unsigned kPcRegister = 32;
// GDB numbers a CSR 65 + its address (RISCV_FIRST_CSR_REGNUM).
constexpr unsigned kFirstCsrRegister = 65;
constexpr int64_t kCsrCycle = 0xc00;
constexpr int64_t kCsrInstret = 0xc02;
// A watched range GDB may ask for: one hart's worth of debug triggers would be a few bytes;
// the hart checks any range, up to a megabyte.
constexpr uint64_t kMaxWatchBytes = uint64_t{1} << 20;

std::vector<GdbRegister> riscv_registers() {
  static constexpr const char* kNames[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                             "fp",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                             "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                             "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
  std::vector<GdbRegister> registers;
  for (unsigned i = 0; i < 32; ++i) {
    const char* type = i == 1 ? "code_ptr" : (i >= 2 && i <= 4) ? "data_ptr" : "int";
    registers.push_back({kNames[i], i, type, "org.gnu.gdb.riscv.cpu"});
  }
  registers.push_back({"pc", kPcRegister, "code_ptr", "org.gnu.gdb.riscv.cpu"});
  const char* counters[] = {"cycle", "time", "instret"};
  for (unsigned i = 0; i < 3; ++i) {
    registers.push_back({counters[i], kFirstCsrRegister + static_cast<unsigned>(kCsrCycle) + i,
                         "int", "org.gnu.gdb.riscv.csr"});
  }
  return registers;
}

std::string permissions_text(uint32_t permissions) {
  std::string text = "---";
  if ((permissions & ZX_VM_PERM_READ) != 0) text[0] = 'r';
  if ((permissions & ZX_VM_PERM_WRITE) != 0) text[1] = 'w';
  if ((permissions & ZX_VM_PERM_EXECUTE) != 0) text[2] = 'x';
  return text;
}

// Statistics as "name value" lines, the JSON's nesting joined with dots.
void flatten(const boost::json::value& value, const std::string& name, std::string_view prefix,
             std::string* out) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.as_object())
      flatten(member, name.empty() ? std::string(key) : name + "." + std::string(key), prefix, out);
  } else if (name.starts_with(prefix) && !value.is_array()) {
    *out += name + " " + boost::json::serialize(value) + "\n";
  }
}

}  // namespace

GdbProgramDebugger::GdbProgramDebugger(System& system, const GdbDebugOptions& options)
    : system_(system),
      hart_(system.platform().hart),
      options_(options),
      registers_(riscv_registers()),
      stub_(*this),
      server_(stub_, options.port) {}

bool GdbProgramDebugger::attach(Process& process) {
  if (taken_ || (!options_.process.empty() && process.name() != options_.process)) return false;
  taken_ = true;
  process_ = &process;
  fatal_signal_ = 0;
  return true;
}

void GdbProgramDebugger::forget_points() {
  breakpoints_.clear();
  hart_.clear_debug();
}

ProgramResume GdbProgramDebugger::stopped(const ProgramStop& stop) {
  GdbStopEvent event;
  switch (stop.reason) {
    case ProgramStop::Reason::attach:
    case ProgramStop::Reason::step:
    case ProgramStop::Reason::trap:
      break;
    case ProgramStop::Reason::breakpoint: {
      const auto it = breakpoints_.find(hart_.pc());
      event.kind = it != breakpoints_.end() && it->second == Point::hardware
                       ? GdbStopEvent::Kind::hardware_break
                       : GdbStopEvent::Kind::software_break;
      break;
    }
    case ProgramStop::Reason::watchpoint:
      event.kind = stop.watch_kind == WatchKind::write  ? GdbStopEvent::Kind::watch
                   : stop.watch_kind == WatchKind::read ? GdbStopEvent::Kind::read_watch
                                                        : GdbStopEvent::Kind::access_watch;
      event.address = stop.watch_address;
      break;
    case ProgramStop::Reason::interrupt:
      event.signal = GdbStopEvent::kSigInt;
      break;
    case ProgramStop::Reason::page_fault:
      event.signal = fatal_signal_ = GdbStopEvent::kSigSegv;
      break;
    case ProgramStop::Reason::illegal:
      event.signal = fatal_signal_ = GdbStopEvent::kSigIll;
      break;
    case ProgramStop::Reason::bus_error:
      event.signal = fatal_signal_ = GdbStopEvent::kSigBus;
      break;
  }
  const std::string reply = stub_.stop_reply(event);
  while (true) {
    if (!server_.connected()) {
      if (!options_.wait) return ProgramResume::run;
      std::cerr << "zxvp: '" << process_->name()
                << "' stopped, waiting for gdb on 127.0.0.1:" << server_.port() << std::endl;
      server_.accept();
    }
    switch (server_.serve(reply)) {
      case GdbStub::Action::resume:
        return ProgramResume::run;
      case GdbStub::Action::step:
        return ProgramResume::step;
      case GdbStub::Action::kill:
        return ProgramResume::kill;
      case GdbStub::Action::detach:
        forget_points();
        return ProgramResume::run;
      case GdbStub::Action::none:
      case GdbStub::Action::closed:
        // Gone without detaching: with --gdb-wait the program waits for the next debugger.
        forget_points();
        if (!options_.wait) return ProgramResume::run;
        break;
    }
  }
}

bool GdbProgramDebugger::poll(ProgramStop::Reason* reason) {
  if (server_.connected()) {
    if (server_.interrupted()) {
      *reason = ProgramStop::Reason::interrupt;
      return true;
    }
    if (server_.connected()) return false;
    // Gone while the program ran: it runs on free, or waits for the next debugger.
    forget_points();
    *reason = ProgramStop::Reason::attach;
    return options_.wait;
  }
  if (!server_.accept_pending()) return false;
  *reason = ProgramStop::Reason::attach;
  return true;
}

void GdbProgramDebugger::ended(const ProgramOutcome& outcome) {
  GdbStopEvent event;
  if (outcome.end == ProgramOutcome::End::exited) {
    event.kind = GdbStopEvent::Kind::exited;
    event.signal = static_cast<int>(static_cast<uint64_t>(outcome.return_code) & 0xff);
  } else {
    event.kind = GdbStopEvent::Kind::killed;
    event.signal = fatal_signal_ != 0                            ? fatal_signal_
                   : outcome.end == ProgramOutcome::End::stopped ? GdbStopEvent::kSigXcpu
                                                                 : GdbStopEvent::kSigKill;
  }
  server_.finish(stub_.stop_reply(event));
  process_ = nullptr;
}

// --- Registers ---

bool GdbProgramDebugger::read_register(unsigned number, uint64_t* value) {
  if (number < 32) {
    *value = hart_.reg(number);
    return true;
  }
  if (number == kPcRegister) {
    *value = hart_.pc();
    return true;
  }
  if (number >= kFirstCsrRegister + kCsrCycle && number <= kFirstCsrRegister + kCsrInstret) {
    return hart_.read_counter(static_cast<int64_t>(number - kFirstCsrRegister), value);
  }
  return false;
}

bool GdbProgramDebugger::write_register(unsigned number, uint64_t value) {
  if (number < 32) {
    hart_.set_reg(number, value);  // x0 stays zero
    return true;
  }
  if (number == kPcRegister) {
    if (value % 2 != 0) return false;  // instructions lie on 2-byte boundaries
    hart_.set_pc(value);
    return true;
  }
  return false;  // the counters are read-only, as for the program
}

// --- Memory ---

std::optional<uint64_t> GdbProgramDebugger::translate(uint64_t address, bool write) {
  if (process_ == nullptr || address < VmAddressRegion::kBase || address >= VmAddressRegion::kEnd) {
    return std::nullopt;
  }
  CpuCore& cpu = system_.platform().cpu;
  uint64_t table = process_->root_vmar().tables().root_table();
  for (unsigned level = 0; level < page_table::kLevels; ++level) {
    const uint64_t slot = table + page_table::table_index(address, level) * page_table::kEntryBytes;
    uint64_t entry = 0;
    if (cpu.guest_move(tlm::TLM_READ_COMMAND, slot, reinterpret_cast<uint8_t*>(&entry),
                       sizeof entry) != tlm::TLM_OK_RESPONSE ||
        !page_table::is_valid(entry)) {
      return std::nullopt;
    }
    table = page_table::entry_address(entry);
    if (level + 1 == page_table::kLevels) {
      const page_table::PagePermissions permissions = page_table::entry_permissions(entry);
      // Device memory is never touched by a debugger: a read of a register may change it.
      if (!permissions.user || (write && !permissions.write) ||
          page_table::entry_memory_type(entry) == MemoryType::uncached_device) {
        return std::nullopt;
      }
    }
  }
  return table | (address & (page_table::kPageSize - 1));
}

size_t GdbProgramDebugger::read_memory(uint64_t address, uint8_t* data, size_t length) {
  size_t done = 0;
  while (done < length) {
    const uint64_t at = address + done;
    if (at < address) break;  // past the end of the address space
    const size_t piece = std::min<uint64_t>(
        length - done, page_table::kPageSize - (at & (page_table::kPageSize - 1)));
    const auto physical = translate(at, false);
    const bool read =
        physical ? system_.platform().cpu.guest_move(tlm::TLM_READ_COMMAND, *physical, data + done,
                                                     piece) == tlm::TLM_OK_RESPONSE
                 : read_untouched(at, data + done, piece);
    if (!read) break;
    done += piece;
  }
  return done;
}

bool GdbProgramDebugger::read_untouched(uint64_t address, uint8_t* data, size_t length) {
  if (process_ == nullptr) return false;
  const VmMapping* mapping = process_->root_vmar().find(address);
  if (mapping == nullptr || (mapping->permissions() & ZX_VM_PERM_READ) == 0) return false;
  VmObject& vmo = *mapping->vmo();
  const uint64_t offset = address - mapping->base() + mapping->vmo_offset();
  // Past the VMO's end the program's access faults; device memory is never touched (the page
  // tables would map it with the VMO's cache policy as its memory type).
  if (offset >= vmo.size() || length > vmo.size() - offset ||
      static_cast<MemoryType>(vmo.cache_policy()) == MemoryType::uncached_device) {
    return false;
  }
  const VmPage* page = vmo.find_page(offset);
  if (page == nullptr) {
    std::fill_n(data, length, uint8_t{0});
    return true;
  }
  return system_.platform().cpu.guest_move(
             tlm::TLM_READ_COMMAND,
             page->physical_address() + (offset & (page_table::kPageSize - 1)), data,
             length) == tlm::TLM_OK_RESPONSE;
}

bool GdbProgramDebugger::write_memory(uint64_t address, const uint8_t* data, size_t length) {
  // Every page first, so that a bad one writes nothing.
  std::vector<std::pair<uint64_t, size_t>> pieces;
  for (size_t done = 0; done < length;) {
    const uint64_t at = address + done;
    if (at < address) return false;
    const size_t piece = std::min<uint64_t>(
        length - done, page_table::kPageSize - (at & (page_table::kPageSize - 1)));
    const auto physical = translate(at, true);
    if (!physical) return false;
    pieces.emplace_back(*physical, piece);
    done += piece;
  }
  size_t done = 0;
  for (const auto& [physical, piece] : pieces) {
    if (system_.platform().cpu.guest_move(tlm::TLM_WRITE_COMMAND, physical,
                                          const_cast<uint8_t*>(data + done),
                                          piece) != tlm::TLM_OK_RESPONSE) {
      return false;
    }
    hart_.invalidate_code(physical, piece);
    done += piece;
  }
  return true;
}

// --- Breakpoints and watchpoints ---

bool GdbProgramDebugger::insert_point(Point type, uint64_t address, uint64_t length) {
  switch (type) {
    case Point::software:
    case Point::hardware:
      breakpoints_[address] = type;
      hart_.add_breakpoint(address);
      return true;
    case Point::write_watch:
    case Point::read_watch:
    case Point::access_watch:
      if (length == 0 || length > kMaxWatchBytes) return false;
      hart_.add_watchpoint(address, length,
                           type == Point::write_watch  ? WatchKind::write
                           : type == Point::read_watch ? WatchKind::read
                                                       : WatchKind::access);
      return true;
  }
  return false;
}

bool GdbProgramDebugger::remove_point(Point type, uint64_t address, uint64_t length) {
  switch (type) {
    case Point::software:
    case Point::hardware:
      breakpoints_.erase(address);
      return hart_.remove_breakpoint(address);
    case Point::write_watch:
    case Point::read_watch:
    case Point::access_watch:
      return hart_.remove_watchpoint(address, length,
                                     type == Point::write_watch  ? WatchKind::write
                                     : type == Point::read_watch ? WatchKind::read
                                                                 : WatchKind::access);
  }
  return false;
}

// --- monitor ---

std::string GdbProgramDebugger::monitor(std::string_view command) {
  while (!command.empty() && command.front() == ' ')
    command.remove_prefix(1);
  while (!command.empty() && command.back() == ' ')
    command.remove_suffix(1);
  if (command == "cycles") return monitor_cycles();
  if (command == "stats") return monitor_stats("");
  if (command.starts_with("stats ")) return monitor_stats(command.substr(6));
  if (command == "vmos") return monitor_vmos();
  const std::string unknown = command.empty() || command == "help"
                                  ? std::string()
                                  : "unknown monitor command '" + std::string(command) + "'\n";
  return unknown +
         "zxvp monitor commands:\n"
         "  cycles         the core's cycle counter, and the last kernel entry's breakdown\n"
         "  stats [PREFIX] every statistic so far (those whose name starts with PREFIX)\n"
         "  vmos           the process's mappings and VMOs\n";
}

std::string GdbProgramDebugger::monitor_cycles() {
  uint64_t cycle = 0;
  uint64_t time_ns = 0;
  hart_.read_counter(kCsrCycle, &cycle);
  hart_.read_counter(kCsrCycle + 1, &time_ns);
  std::string text = "cycle " + std::to_string(cycle) + " (the core's: instructions and kernel)\n" +
                     "instret " + std::to_string(hart_.instructions_retired()) + "\ntime " +
                     std::to_string(time_ns) + " ns\n";
  const CallRecord& last = system_.kernel().last_record();
  if (last.name.empty()) return text + "no kernel entry yet\n";
  text += "last kernel entry: " + std::string(last.name) + " -> " +
          zx_status_get_string(last.status) + ", " + std::to_string(last.cycles) +
          " cycles, from cycle " + std::to_string(last.start_cycle) + ":";
  for (size_t phase = 0; phase < kCyclePhaseCount; ++phase) {
    if (last.breakdown[phase] == 0) continue;
    text.append(" ")
        .append(cycle_phase_name(static_cast<CyclePhase>(phase)))
        .append(" ")
        .append(std::to_string(last.breakdown[phase]));
  }
  return text + "\n";
}

std::string GdbProgramDebugger::monitor_stats(std::string_view prefix) {
  // The hart's counts reach the registry at its stops; these are the counts so far.
  hart_.publish_statistics();
  std::string text;
  flatten(system_.statistics().to_json(), "", prefix, &text);
  return text.empty() ? "no statistic named " + std::string(prefix) + "...\n" : text;
}

std::string GdbProgramDebugger::monitor_vmos() {
  if (process_ == nullptr) return "no process\n";
  // VMOs are numbered in the order they are first listed.
  std::vector<const VmObject*> vmos;
  auto number = [&](const VmObject* vmo) {
    auto it = std::find(vmos.begin(), vmos.end(), vmo);
    if (it == vmos.end()) it = vmos.insert(vmos.end(), vmo);
    return "vmo" + std::to_string(it - vmos.begin() + 1);
  };
  auto describe = [](const VmObject& vmo) {
    return std::to_string(vmo.size()) + " bytes, " + std::to_string(vmo.committed_pages()) +
           (vmo.committed_pages() == 1 ? " page" : " pages") + " committed" +
           (vmo.is_snapshot_child() ? ", snapshot" : "") + (vmo.is_slice() ? ", slice" : "") +
           (vmo.cache_policy() != ZX_CACHE_POLICY_CACHED ? ", not cached" : "");
  };
  std::string text = "mappings of '" + process_->name() + "':\n";
  for (const auto& [base, mapping] : process_->root_vmar().mappings()) {
    text += "  " + format_hex(mapping->base()) + "-" + format_hex(mapping->end()) + " " +
            permissions_text(mapping->permissions()) + " " + number(mapping->vmo().get()) +
            " at offset " + format_hex(mapping->vmo_offset()) + ": " + describe(*mapping->vmo()) +
            "\n";
  }
  text += "VMO handles:\n";
  for (const auto& [value, handle] : process_->handles().list()) {
    const auto* vmo = dynamic_cast<const VmObject*>(handle->object.get());
    if (vmo == nullptr) continue;
    text += "  handle " + format_hex(value) + " rights " + format_hex(handle->rights) + " " +
            number(vmo) + ": " + describe(*vmo) + "\n";
  }
  return text;
}

}  // namespace zxvp
