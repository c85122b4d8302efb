#include "platforms/default_platform.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <tlm>

#include "models/cache/set_geometry.h"
#include "sim/params/config_error.h"
#include "sim/params/units.h"

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
                BoolSpec{"the core's loads and stores go through the caches (cache.l1 ... "
                         "cache.lN, N = cache.levels)"});
  binding.field("levels", levels,
                UnsignedSpec{"levels", "cache levels between the core and the bus", 1, kMaxLevels});
}

namespace {

// "cache.l1.size = 33KiB (scenario.yaml:4:5)"
std::string described(const ParameterSet& parameters, const std::string& key) {
  const ParameterSet::Entry& entry = parameters.entry(key);
  return key + " = " + ParameterSet::format_value(entry, entry.value) + " (" + entry.origin + ")";
}

void check_sets(const ParameterSet& parameters, const std::string& prefix, const char* size_key,
                const char* ways_key, uint64_t unit, const std::string& unit_text) {
  const std::string size = prefix + size_key;
  const std::string ways = prefix + ways_key;
  const uint64_t slots = parameters.get_unsigned(size) / unit;
  const uint64_t way_count = parameters.get_unsigned(ways);
  if (parameters.get_unsigned(size) % unit != 0 || !forms_power_of_two_sets(slots, way_count)) {
    throw ConfigError(described(parameters, size) + " in " + described(parameters, ways) +
                      unit_text + " is not a power-of-two number of sets; make it ways x " +
                      (unit == 1 ? std::string() : std::to_string(unit) + " x ") + "2^n");
  }
}

}  // namespace

void DefaultPlatform::check_parameters(const ParameterSet& parameters) {
  if (parameters.get_bool("cache.enabled")) {
    const uint64_t levels = parameters.get_unsigned("cache.levels");
    const uint64_t line = parameters.get_unsigned("cpu.line_bytes");
    const std::string lines = " ways of " + std::to_string(line) + "-byte lines";
    for (uint64_t level = 1; level <= levels; ++level)
      check_sets(parameters, "cache.l" + std::to_string(level), ".size", ".ways", line, lines);
    check_sets(parameters, "cache.l1i", ".size", ".ways", line, lines);
    if (parameters.get_unsigned("mmu.walker_level") > levels) {
      throw ConfigError(described(parameters, "mmu.walker_level") +
                        " names a level past the last, " + described(parameters, "cache.levels") +
                        " (0 reads page tables from memory)");
    }
  }
  check_sets(parameters, "mmu.tlb", ".entries", ".ways", 1, " ways");
  if (parameters.get_unsigned("mmu.l2_tlb.entries") != 0) {
    check_sets(parameters, "mmu.l2_tlb", ".entries", ".ways", 1, " ways");
  }
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
  // Defaults: the `default` platform's levels (platforms/default.yaml says where they come
  // from); a fourth level, off unless cache.levels says 4, defaults to a copy of the third.
  CacheConfig l1;
  CacheConfig l2 = l1;
  l2.size = 256 * KiB;
  l2.ways = 4;
  l2.hit_latency_cycles = 12;
  l2.bytes_per_cycle = 32;
  l2.write_bytes_per_cycle = 0;
  l2.mshrs = 16;
  l2.prefetch = true;
  l2.prefetch_distance_lines = 20;
  CacheConfig l3 = l2;
  l3.size = 3 * MiB;
  l3.ways = 12;
  l3.hit_latency_cycles = 42;
  l3.bytes_per_cycle = 16;
  l3.mshrs = 32;
  l3.write_buffer_entries = 32;
  const CacheConfig levels[CacheHierarchyConfig::kMaxLevels] = {l1, l2, l3, l3};
  for (uint64_t level = 1; level <= CacheHierarchyConfig::kMaxLevels; ++level) {
    declare_config<CacheConfig>(parameters, "cache.l" + std::to_string(level), levels[level - 1]);
  }
  // The guest code's instruction cache: as the L1 data cache.
  declare_config<CacheConfig>(parameters, "cache.l1i", l1);
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
  const auto hierarchy = load_config<CacheHierarchyConfig>(parameters, "cache");
  if (hierarchy.enabled) {
    const Clock cpu_clock(cpu_config_.clock_mhz);
    caches.resize(hierarchy.levels);
    // From the bottom up: each level sits on the one below it, the last on the bus.
    DataPath* below = &cpu.bus_path();
    for (uint64_t level = hierarchy.levels; level >= 1; --level) {
      // (Appended rather than `"l" + ...`: GCC 12 warns wrongly about that one, -Wrestrict.)
      std::string name = "l";
      name += std::to_string(level);
      caches[level - 1] = std::make_unique<Cache>(
          name.c_str(), load_config<CacheConfig>(parameters, "cache." + name),
          cpu_config_.line_bytes, cpu_clock, *below, statistics_);
      below = caches[level - 1].get();
    }
    cpu.attach_data_path(caches.front().get());
    l1i = std::make_unique<Cache>("l1i", load_config<CacheConfig>(parameters, "cache.l1i"),
                                  cpu_config_.line_bytes, cpu_clock,
                                  caches.size() > 1 ? *caches[1] : cpu.bus_path(), statistics_);
    cpu.attach_fetch_path(l1i.get());
  }
  // Without caches the walker can only read memory.
  const uint64_t walker_level = hierarchy.enabled ? mmu.walker_level() : 0;
  if (walker_level > caches.size()) {
    throw ConfigError("mmu.walker_level: " + std::to_string(walker_level) +
                      ", but the platform has " + std::to_string(caches.size()) +
                      " cache levels (0 reads page tables from memory)");
  }
  if (walker_level != 0) {
    mmu.attach_walk_path(caches[walker_level - 1].get(), cpu_config_.line_bytes);
  }
  dma.port.socket.bind(bus.target_socket);
  dma.irq.bind(dma_interrupt);
  cpu.irq[0].bind(dma_interrupt);
}

void DefaultPlatform::settle() {
  cpu.drain();
  // Timing is the same from any start, but cycles are counted in whole core cycles and the core
  // synchronises on quantum boundaries: the next measurement starts on a point of both grids.
  const Ticks grid =
      std::lcm(to_ticks(cpu.clock().period()), to_ticks(tlm::tlm_global_quantum::instance().get()));
  Ticks busy =
      std::max({cpu.now(), cpu.data_path().busy_until(), memory.controller().busy_until()});
  if (l1i) busy = std::max(busy, l1i->busy_until());
  const Ticks idle = (busy + grid - 1) / grid * grid;
  cpu.data_path().settle(idle);
  if (l1i) l1i->settle(idle);
  memory.controller().settle(idle);
  mmu.invalidate_all();
  cpu.idle_until(idle);
}

}  // namespace zxvp
