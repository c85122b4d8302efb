#include "sw/workloads/builtin_study.h"

#include <algorithm>
#include <boost/json.hpp>
#include <iomanip>
#include <sstream>

#include "sim/params/units.h"
#include "sw/api/zircon/constants.h"

namespace zxvp {

namespace {

constexpr uint64_t kLargest = 4 * MiB;

struct Engine {
  const char* name;
  const char* copy_engine;
  const char* coherent;
};
constexpr Engine kEngineSetups[BuiltinStudy::kEngines] = {
    {"cpu", "cpu", nullptr}, {"dma", "dma", "false"}, {"dma_coherent", "dma", "true"}};

ParameterSet with_engine(const ParameterSet& parameters, const Engine& engine) {
  ParameterSet copy = parameters;
  copy.set("kernel.copy_engine", engine.copy_engine, "built-in study");
  if (engine.coherent != nullptr) copy.set("dma.coherent", engine.coherent, "built-in study");
  return copy;
}

std::string breakdown_text(const CallRecord& record) {
  std::ostringstream text;
  bool first = true;
  for (size_t i = 0; i < kCyclePhaseCount; ++i) {
    if (record.breakdown[i] == 0) continue;
    text << (first ? "" : ", ") << cycle_phase_name(static_cast<CyclePhase>(i)) << " "
         << record.breakdown[i];
    first = false;
  }
  return text.str();
}

// Bytes per nanosecond (GB/s) of `bytes` moved in `cycles` of a `clock_mhz` core.
double gigabytes_per_second(uint64_t bytes, uint64_t cycles, uint64_t clock_mhz) {
  return cycles == 0 ? 0.0
                     : static_cast<double>(bytes) * static_cast<double>(clock_mhz) /
                           (static_cast<double>(cycles) * 1000.0);
}

std::string verdict(uint64_t cpu_cycles, uint64_t dma_cycles) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << (cpu_cycles <= dma_cycles ? "CPU " : "DMA ")
       << static_cast<double>(std::max(cpu_cycles, dma_cycles)) /
              static_cast<double>(std::max<uint64_t>(1, std::min(cpu_cycles, dma_cycles)))
       << "x";
  return text.str();
}

}  // namespace

std::vector<uint64_t> BuiltinStudy::standard_sizes() {
  std::vector<uint64_t> sizes;
  for (uint64_t size = 64; size <= kLargest; size *= 4)
    sizes.push_back(size);
  return sizes;
}

BuiltinStudy::BuiltinStudy(const ParameterSet& parameters, std::vector<uint64_t> sizes,
                           const std::string& name)
    : parameters_(parameters), sizes_(std::move(sizes)), name_(name) {
  for (const Engine& engine : kEngineSetups) {
    const std::string system_name = name + "_" + engine.name;
    systems_.push_back(
        std::make_unique<System>(with_engine(parameters, engine), system_name.c_str()));
  }
}

void BuiltinStudy::start() {
  for (size_t engine = 0; engine < kEngines; ++engine) {
    System& system = *systems_[engine];
    Results& results = results_[engine];
    system.kernel().cpu().start_thread(name_ + "_" + kEngineSetups[engine].name + "_workload",
                                       [this, &system, &results] { run(system, results); });
  }
}

bool BuiltinStudy::finished() const {
  return std::all_of(std::begin(results_), std::end(results_),
                     [](const Results& results) { return results.finished; });
}

void BuiltinStudy::run(System& system, Results& results) {
  Kernel& kernel = system.kernel();
  // Each row in a process of its own, which leaves nothing behind: with the machine settled
  // before the row, the row sees the same machine whatever ran before it.
  auto row = [&](uint64_t buffer_size, auto&& body) {
    Process* process = kernel.create_process("study");
    if (process == nullptr) return false;
    // The source: a mapped buffer, written once by user code so that its pages are committed.
    zx_handle_t buffer_vmo = ZX_HANDLE_INVALID;
    uint64_t buffer = 0;
    const std::vector<uint8_t> fill(buffer_size, 0xA5);
    const bool ready =
        kernel.vmo_create(*process, buffer_size, 0, &buffer_vmo) == ZX_OK &&
        kernel.vmar_map(*process, process->root_vmar_handle(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                        0, buffer_vmo, 0, buffer_size, &buffer) == ZX_OK &&
        kernel.user_store(*process, buffer, fill.data(), fill.size()) == ZX_OK;
    if (ready) {
      system.platform().settle();
      body(*process, buffer);
    }
    kernel.destroy_process(*process);
    return ready;
  };

  for (const uint64_t size : sizes_) {
    Measurement measurement;
    measurement.size = size;
    const bool ran = row(size, [&](Process& process, uint64_t buffer) {
      zx_handle_t vmo = ZX_HANDLE_INVALID;
      if (kernel.vmo_create(process, size, 0, &vmo) != ZX_OK) return;
      kernel.vmo_write(process, vmo, buffer, 0, size);
      measurement.cold = kernel.last_record();
      kernel.vmo_write(process, vmo, buffer, 0, size);
      measurement.warm = kernel.last_record();
    });
    if (!ran) return;
    results.writes.push_back(measurement);
  }

  // Fork-on-write: a snapshot shares its parent's pages until one side writes.
  row(64 * KiB, [&](Process& process, uint64_t buffer) {
    zx_handle_t parent = ZX_HANDLE_INVALID;
    zx_handle_t child = ZX_HANDLE_INVALID;
    if (kernel.vmo_create(process, 64 * KiB, 0, &parent) != ZX_OK) return;
    kernel.vmo_write(process, parent, buffer, 0, 64 * KiB);
    kernel.vmo_create_child(process, parent, ZX_VMO_CHILD_SNAPSHOT, 0, 64 * KiB, &child);
    kernel.vmo_write(process, child, buffer, 0, 4 * KiB);
    results.fork = kernel.last_record();
    kernel.vmo_write(process, child, buffer, 0, 4 * KiB);
    results.after_fork = kernel.last_record();
  });

  row(4 * KiB, [&](Process& process, uint64_t buffer) {
    zx_handle_t uncached = ZX_HANDLE_INVALID;
    kernel.vmo_create(process, 4 * KiB, 0, &uncached);
    kernel.vmo_set_cache_policy(process, uncached, ZX_CACHE_POLICY_UNCACHED);
    results.uncached_status = kernel.vmo_write(process, uncached, buffer, 0, 64);
    results.uncached = kernel.last_record();
  });
  results.finished = true;
}

void BuiltinStudy::print(std::ostream& out) const {
  const auto& p = parameters_;
  const uint64_t clock_mhz = p.get_unsigned("cpu.clock_mhz");
  std::string caches = "no caches";
  if (p.get_bool("cache.enabled")) {
    caches.clear();
    for (uint64_t level = 1; level <= p.get_unsigned("cache.levels"); ++level) {
      const std::string key = "cache.l" + std::to_string(level);
      caches += (level == 1 ? "" : ", ") + format_bytes(p.get_unsigned(key + ".size")) + " L" +
                std::to_string(level);
    }
  }
  out << "zx_vmo_write cycle estimates: " << clock_mhz << " MHz core, " << caches << ", "
      << format_bytes(p.get_unsigned("memory.size")) << " memory at "
      << p.get_real("memory.read_latency_ns") << " ns, "
      << static_cast<double>(p.get_unsigned("memory.bytes_per_cycle") *
                             p.get_unsigned("memory.clock_mhz")) /
             1000.0
      << " GB/s\n"
      << "every row starts on a settled machine (caches and TLBs empty, memory idle, nothing "
         "owed): cold = a fresh VMO,\nwarm = the same call again; GB/s = bytes over the warm "
         "call's time at the core's clock\n\n";
  out << "             ---------- CPU copy ---------   --- DMA engine, not coherent ---   "
         "----- DMA engine, coherent -----   faster when warm\n"
      << "      size       cold       warm    GB/s         cold       warm    GB/s         "
         "cold       warm    GB/s   not coherent  coherent\n";
  const auto& cpu = results_[0].writes;
  const auto& dma = results_[1].writes;
  const auto& coherent = results_[2].writes;
  const size_t rows = std::min({cpu.size(), dma.size(), coherent.size()});
  out << std::fixed;
  for (size_t i = 0; i < rows; ++i) {
    out << std::setw(10) << format_bytes(cpu[i].size);
    for (const auto* engine : {&cpu, &dma, &coherent}) {
      const Measurement& m = (*engine)[i];
      out << std::setw(11) << m.cold.cycles << std::setw(11) << m.warm.cycles << std::setw(8)
          << std::setprecision(2) << gigabytes_per_second(m.size, m.warm.cycles, clock_mhz) << "  ";
    }
    out << std::setw(13) << verdict(cpu[i].warm.cycles, dma[i].warm.cycles) << std::setw(10)
        << verdict(cpu[i].warm.cycles, coherent[i].warm.cycles) << "\n";
  }
  if (rows != 0) {
    out << "\nwhere the cycles of the cold " << format_bytes(cpu.back().size) << " write went:\n"
        << "  CPU:                  " << breakdown_text(cpu.back().cold) << "\n"
        << "  DMA, not coherent:    " << breakdown_text(dma.back().cold) << "\n"
        << "  DMA, coherent:        " << breakdown_text(coherent.back().cold) << "\n";
  }
  const Results& r = results_[0];
  out << "\nsnapshot child, 4KiB write into a page it shares with its parent (CPU copy):\n"
      << "  first write (fork-on-write): " << r.fork.cycles << " cycles (" << breakdown_text(r.fork)
      << ")\n"
      << "  second write (page now private): " << r.after_fork.cycles << " cycles\n";
  out << "\nuncached VMO: zx_vmo_write returns " << zx_status_get_string(r.uncached_status)
      << " after " << r.uncached.cycles << " cycles (" << breakdown_text(r.uncached)
      << "); nothing is copied\n";
}

boost::json::value BuiltinStudy::statistics_json() const {
  boost::json::object all;
  for (size_t engine = 0; engine < kEngines; ++engine) {
    all[kEngineSetups[engine].name] = systems_[engine]->statistics().to_json();
  }
  return all;
}

}  // namespace zxvp
