#include "platforms/default_platform.h"

#include <tlm>

namespace zxvp {

void AddressMapConfig::bind(ParameterBinding& binding) {
  binding.field("memory_base", memory_base,
                UnsignedSpec{"address", "physical address of the first byte of memory", 0,
                             (uint64_t{1} << 48) - 1, 4096});
  binding.field("dma_base", dma_base,
                UnsignedSpec{"address", "physical address of the DMA engine's registers", 0,
                             (uint64_t{1} << 48) - 4096, 4096});
}

void CacheHierarchyConfig::bind(ParameterBinding& binding) {
  binding.field("enabled", enabled,
                BoolSpec{"the core's loads and stores go through the L1 and L2 caches"});
}

void DefaultPlatform::declare_parameters(ParameterSet& parameters) {
  declare_config<SimConfig>(parameters, "sim");
  declare_config<AddressMapConfig>(parameters, "platform");
  declare_config<BusConfig>(parameters, "bus");
  declare_config<MemoryConfig>(parameters, "memory");
  declare_config<CpuConfig>(parameters, "cpu");
  declare_config<MmuConfig>(parameters, "mmu");
  declare_config<DmaConfig>(parameters, "dma");
  declare_config<CacheHierarchyConfig>(parameters, "cache");
  declare_config<CacheConfig>(parameters, "cache.l1");
  declare_config<CacheConfig>(parameters, "cache.l2", CacheConfig{1024 * 1024, 16, 14});
  declare_config<CacheConfig>(parameters, "cache.l1i");
  declare_config<Rv64HartConfig>(parameters, "hart");
}

DefaultPlatform::DefaultPlatform(const sc_core::sc_module_name& name,
                                 const ParameterSet& parameters)
    : sc_module(name),
      sim_config_(load_config<SimConfig>(parameters, "sim")),
      address_map_(load_config<AddressMapConfig>(parameters, "platform")),
      cpu_config_(load_config<CpuConfig>(parameters, "cpu")),
      bus("bus", load_config<BusConfig>(parameters, "bus"), statistics_),
      memory("memory", load_config<MemoryConfig>(parameters, "memory"), statistics_),
      traffic("traffic", sim_config_.dmi),
      mmu("mmu", load_config<MmuConfig>(parameters, "mmu"), Clock(cpu_config_.clock_mhz),
          sim_config_.dmi, statistics_),
      cpu("cpu0", cpu_config_, mmu, 1, sim_config_.dmi, statistics_),
      hart("hart0", cpu, load_config<Rv64HartConfig>(parameters, "hart"), statistics_),
      dma("dma", load_config<DmaConfig>(parameters, "dma"), sim_config_.dmi, statistics_) {
  tlm::tlm_global_quantum::instance().set(
      sc_core::sc_time(static_cast<double>(sim_config_.quantum_ns), sc_core::SC_NS));
  bus.attach(memory.socket, address_map_.memory_base, memory.size_bytes(), "memory");
  bus.attach(dma.registers, address_map_.dma_base, dma_registers::kRegisterBlockBytes, "dma");
  traffic.port.socket.bind(bus.target_socket);
  mmu.walker_port.socket.bind(bus.target_socket);
  cpu.data_port.socket.bind(bus.target_socket);
  if (load_config<CacheHierarchyConfig>(parameters, "cache").enabled) {
    const Clock cpu_clock(cpu_config_.clock_mhz);
    l2 = std::make_unique<Cache>("l2", load_config<CacheConfig>(parameters, "cache.l2"),
                                 cpu_config_.line_bytes, cpu_clock, cpu.bus_path(), statistics_);
    l1 = std::make_unique<Cache>("l1", load_config<CacheConfig>(parameters, "cache.l1"),
                                 cpu_config_.line_bytes, cpu_clock, *l2, statistics_);
    cpu.attach_data_path(l1.get());
    l1i = std::make_unique<Cache>("l1i", load_config<CacheConfig>(parameters, "cache.l1i"),
                                  cpu_config_.line_bytes, cpu_clock, *l2, statistics_);
    cpu.attach_fetch_path(l1i.get());
  }
  dma.port.socket.bind(bus.target_socket);
  dma.irq.bind(dma_interrupt);
  cpu.irq[0].bind(dma_interrupt);
}

}  // namespace zxvp
