#include "platforms/default_platform.h"

#include <tlm>

namespace zxvp {

void AddressMapConfig::bind(ParameterBinding& binding) {
  binding.field("memory_base", memory_base,
                UnsignedSpec{"address", "physical address of the first byte of memory", 0,
                             (uint64_t{1} << 48) - 1, 4096});
}

void DefaultPlatform::declare_parameters(ParameterSet& parameters) {
  declare_config<SimConfig>(parameters, "sim");
  declare_config<AddressMapConfig>(parameters, "platform");
  declare_config<BusConfig>(parameters, "bus");
  declare_config<MemoryConfig>(parameters, "memory");
}

DefaultPlatform::DefaultPlatform(const sc_core::sc_module_name& name,
                                 const ParameterSet& parameters)
    : sc_module(name),
      sim_config_(load_config<SimConfig>(parameters, "sim")),
      address_map_(load_config<AddressMapConfig>(parameters, "platform")),
      bus("bus", load_config<BusConfig>(parameters, "bus"), statistics_),
      memory("memory", load_config<MemoryConfig>(parameters, "memory"), statistics_),
      traffic("traffic", sim_config_.dmi) {
  tlm::tlm_global_quantum::instance().set(
      sc_core::sc_time(static_cast<double>(sim_config_.quantum_ns), sc_core::SC_NS));
  bus.attach(memory.socket, address_map_.memory_base, memory.size_bytes(), "memory");
  traffic.port.socket.bind(bus.target_socket);
}

}  // namespace zxvp
