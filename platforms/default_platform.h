#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "models/bus/bus.h"
#include "models/cache/cache.h"
#include "models/cpu/cpu_core.h"
#include "models/cpu/rv64_hart.h"
#include "models/dma/dma_engine.h"
#include "models/memory/memory.h"
#include "models/mmu/mmu.h"
#include "models/traffic/traffic_initiator.h"
#include "sim/params/parameter_set.h"
#include "sim/sim_config.h"
#include "sim/stats/statistics.h"

namespace zxvp {

// Where the platform's targets sit in the physical address map.
struct AddressMapConfig {
  uint64_t memory_base = 0;
  uint64_t dma_base = 0x8000'0000'0000;

  void bind(ParameterBinding& binding);
};

struct CacheHierarchyConfig {
  static constexpr uint64_t kMaxLevels = 4;

  bool enabled = true;
  uint64_t levels = 3;

  void bind(ParameterBinding& binding);
};

// The `default` assembly: one core (cpu0) with its MMU and `cache.levels` levels of data cache
// (cache.l1 nearest the core), an L1 instruction cache over the L2 for the guest code its hart
// runs, an interconnect with physical memory and a DMA engine's registers behind it, the engine's
// interrupt on the core's line 0, and a traffic initiator on the bus for tests and the memory
// probe. The page-table walker reads through the level `mmu.walker_level` names.
class DefaultPlatform : public sc_core::sc_module {
 public:
  // Declares every key the assembly reads, with its default.
  static void declare_parameters(ParameterSet& parameters);
  // Refuses values that are each allowed but do not go together (a cache whose size is not ways x
  // line x 2^n, a TLB likewise, a walker on a level there is not), naming the keys and where
  // their values came from; the constructor would refuse them too, without saying where.
  static void check_parameters(const ParameterSet& parameters);

  DefaultPlatform(const sc_core::sc_module_name& name, const ParameterSet& parameters);

  // Called by software holding the core: waits until everything the memory system owes is done,
  // then empties the caches and TLBs and closes the memory's rows, without time or statistics:
  // a cold, idle machine for the next measurement.
  void settle();

  const SimConfig& sim_config() const { return sim_config_; }
  const AddressMapConfig& address_map() const { return address_map_; }
  StatisticsRegistry& statistics() { return statistics_; }

 private:
  // Declared first: the models keep references into it.
  StatisticsRegistry statistics_;
  SimConfig sim_config_;
  AddressMapConfig address_map_;
  CpuConfig cpu_config_;

 public:
  Bus bus;
  Memory memory;
  TrafficInitiator traffic;
  Mmu mmu;
  CpuCore cpu;
  // Runs guest code on cpu0 (RV64IMAC, user mode).
  Rv64Hart hart;
  DmaEngine dma;
  sc_core::sc_signal<bool> dma_interrupt{"dma_interrupt"};
  // Nearest the core first; empty when `cache.enabled` is false.
  std::vector<std::unique_ptr<Cache>> caches;
  // The guest code's instruction cache, over the L2 (the bus with one level); null when
  // `cache.enabled` is false.
  std::unique_ptr<Cache> l1i;
};

}  // namespace zxvp
