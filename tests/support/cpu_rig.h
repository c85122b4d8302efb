#pragma once

#include <string>

#include "models/bus/bus.h"
#include "models/cpu/cpu_core.h"
#include "models/memory/memory.h"
#include "models/mmu/mmu.h"
#include "sim/params/units.h"
#include "tests/support/page_table_builder.h"

namespace zxvp::testing {

inline MmuConfig mmu_config(uint64_t entries, uint64_t ways, uint64_t walk_cache_entries) {
  MmuConfig config;
  config.tlb_entries = entries;
  config.tlb_ways = ways;
  config.tlb_hit_latency_cycles = 2;
  config.l2_tlb_entries = 0;  // the second-level TLB has tests of its own
  config.walk_cache_entries = walk_cache_entries;
  return config;
}

// A core with its MMU, a bus and 16 MiB of memory; page tables start at 8 MiB. `suffix` keeps
// module and statistic names apart when a test builds two rigs (DMI on and off).
struct CpuRig {
  explicit CpuRig(const MmuConfig& mmu_config, bool dmi = true, const std::string& suffix = "")
      : bus(("bus" + suffix).c_str(), BusConfig{1000, 2}, statistics),
        memory(("memory" + suffix).c_str(), memory_config(), statistics),
        mmu(("mmu" + suffix).c_str(), mmu_config, Clock(2000), dmi, statistics),
        cpu(("cpu" + suffix).c_str(), cpu_config(), mmu, 1, dmi, statistics),
        tables(memory, 8 * MiB),
        interrupt(("interrupt" + suffix).c_str()) {
    bus.attach(memory.socket, 0, memory.size_bytes(), "memory");
    mmu.walker_port.socket.bind(bus.target_socket);
    cpu.data_port.socket.bind(bus.target_socket);
    cpu.irq[0].bind(interrupt);
  }

  // A 2 GHz core whose interrupt costs 30 cycles: round figures for the tests' formulas.
  static CpuConfig cpu_config() {
    CpuConfig config;
    config.clock_mhz = 2000;
    config.trap_entry_cycles = 60;
    config.trap_exit_cycles = 40;
    config.interrupt_latency_cycles = 30;
    return config;
  }

  static MemoryConfig memory_config() {
    MemoryConfig config;
    config.size = 16 * MiB;
    config.row_miss_ns = 0;  // rows have tests of their own
    return config;
  }

  // Cost of one read of `bytes` through the bus (hop + memory) with nothing in its way.
  sc_core::sc_time read_cost(uint64_t bytes) {
    return bus.hop_latency() +
           to_time(memory.controller().unloaded_latency(tlm::TLM_READ_COMMAND, bytes));
  }
  sc_core::sc_time write_cost(uint64_t bytes) {
    return bus.hop_latency() +
           to_time(memory.controller().unloaded_latency(tlm::TLM_WRITE_COMMAND, bytes));
  }
  // Time of one memory transfer of `bytes` on the memory's bus (a line's beats).
  sc_core::sc_time transfer(uint64_t bytes) {
    return to_time(memory.controller().unloaded_latency(tlm::TLM_READ_COMMAND, bytes) -
                   memory.controller().unloaded_latency(tlm::TLM_READ_COMMAND, 0));
  }

  StatisticsRegistry statistics;
  Bus bus;
  Memory memory;
  Mmu mmu;
  CpuCore cpu;
  PageTableBuilder tables;
  sc_core::sc_signal<bool> interrupt;
};

}  // namespace zxvp::testing
