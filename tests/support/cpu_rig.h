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
        cpu(("cpu" + suffix).c_str(), CpuConfig{}, mmu, 1, dmi, statistics),
        tables(memory, 8 * MiB),
        interrupt(("interrupt" + suffix).c_str()) {
    bus.attach(memory.socket, 0, memory.size_bytes(), "memory");
    mmu.walker_port.socket.bind(bus.target_socket);
    cpu.data_port.socket.bind(bus.target_socket);
    cpu.irq[0].bind(interrupt);
  }

  static MemoryConfig memory_config() {
    MemoryConfig config;
    config.size = 16 * MiB;
    return config;
  }

  // Cost of one read of `bytes` through the bus (hop + memory), as the formulas say.
  sc_core::sc_time read_cost(uint64_t bytes) const {
    return bus.hop_latency() + memory.timing().read_time(bytes);
  }
  sc_core::sc_time write_cost(uint64_t bytes) const {
    return bus.hop_latency() + memory.timing().write_time(bytes);
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
