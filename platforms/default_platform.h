#pragma once

#include <cstdint>
#include <systemc>

#include "models/bus/bus.h"
#include "models/cpu/cpu_core.h"
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

  void bind(ParameterBinding& binding);
};

// The `default` assembly: one core (cpu0) with its MMU, an interconnect with physical memory
// behind it, and a traffic initiator on the bus for tests and the memory probe. The caches and
// the DMA engine join it as they are modelled.
class DefaultPlatform : public sc_core::sc_module {
 public:
  // Declares every key the assembly reads, with its default.
  static void declare_parameters(ParameterSet& parameters);

  DefaultPlatform(const sc_core::sc_module_name& name, const ParameterSet& parameters);

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

 private:
  // Interrupt lines with no device behind them yet stay low.
  sc_core::sc_signal<bool> unused_interrupt_{"unused_interrupt"};
};

}  // namespace zxvp
