#include "sw/workloads/builtin_study.h"

#include <boost/json.hpp>
#include <iomanip>
#include <sstream>

#include "sim/params/units.h"
#include "sw/api/zircon/constants.h"

namespace zxvp {

namespace {

constexpr const char* kEngineNames[BuiltinStudy::kEngines] = {"cpu", "dma"};
constexpr uint64_t kLargest = 4 * MiB;

ParameterSet with_engine(const ParameterSet& parameters, const char* engine) {
  ParameterSet copy = parameters;
  copy.set("kernel.copy_engine", engine, "built-in study");
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

}  // namespace

BuiltinStudy::BuiltinStudy(const ParameterSet& parameters) : parameters_(parameters) {
  for (size_t engine = 0; engine < kEngines; ++engine) {
    const std::string name = std::string("study_") + kEngineNames[engine];
    systems_.push_back(
        std::make_unique<System>(with_engine(parameters, kEngineNames[engine]), name.c_str()));
  }
}

void BuiltinStudy::start() {
  for (size_t engine = 0; engine < kEngines; ++engine) {
    System& system = *systems_[engine];
    Results& results = results_[engine];
    system.kernel().cpu().start_thread(std::string(kEngineNames[engine]) + "_workload",
                                       [this, &system, &results] { run(system, results); });
  }
}

bool BuiltinStudy::finished() const {
  return results_[0].finished && results_[1].finished;
}

void BuiltinStudy::run(System& system, Results& results) {
  Kernel& kernel = system.kernel();
  Process* process = kernel.create_process("study");
  if (process == nullptr) return;
  const zx_handle_t root = process->root_vmar_handle();
  // The source: a mapped buffer, written once by user code so that its pages are committed.
  zx_handle_t buffer_vmo = ZX_HANDLE_INVALID;
  uint64_t buffer = 0;
  if (kernel.vmo_create(*process, kLargest, 0, &buffer_vmo) != ZX_OK ||
      kernel.vmar_map(*process, root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, buffer_vmo, 0,
                      kLargest, &buffer) != ZX_OK) {
    return;
  }
  const std::vector<uint8_t> fill(kLargest, 0xA5);
  if (kernel.user_store(*process, buffer, fill.data(), fill.size()) != ZX_OK) return;

  for (uint64_t size = 64; size <= kLargest; size *= 4) {
    Measurement measurement;
    measurement.size = size;
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    if (kernel.vmo_create(*process, size, 0, &vmo) != ZX_OK) return;
    kernel.vmo_write(*process, vmo, buffer, 0, size);
    measurement.cold = kernel.last_record();
    kernel.vmo_write(*process, vmo, buffer, 0, size);
    measurement.warm = kernel.last_record();
    kernel.handle_close(*process, vmo);
    results.writes.push_back(measurement);
  }

  // Fork-on-write: a snapshot shares its parent's pages until one side writes.
  zx_handle_t parent = ZX_HANDLE_INVALID;
  zx_handle_t child = ZX_HANDLE_INVALID;
  if (kernel.vmo_create(*process, 64 * KiB, 0, &parent) != ZX_OK) return;
  kernel.vmo_write(*process, parent, buffer, 0, 64 * KiB);
  kernel.vmo_create_child(*process, parent, ZX_VMO_CHILD_SNAPSHOT, 0, 64 * KiB, &child);
  kernel.vmo_write(*process, child, buffer, 0, 4 * KiB);
  results.fork = kernel.last_record();
  kernel.vmo_write(*process, child, buffer, 0, 4 * KiB);
  results.after_fork = kernel.last_record();

  zx_handle_t uncached = ZX_HANDLE_INVALID;
  kernel.vmo_create(*process, 4 * KiB, 0, &uncached);
  kernel.vmo_set_cache_policy(*process, uncached, ZX_CACHE_POLICY_UNCACHED);
  results.uncached_status = kernel.vmo_write(*process, uncached, buffer, 0, 64);
  results.uncached = kernel.last_record();
  results.finished = true;
}

void BuiltinStudy::print(std::ostream& out) const {
  const auto& p = parameters_;
  out << "zx_vmo_write cycle estimates: " << p.get_unsigned("cpu.clock_mhz") << " MHz core, "
      << (p.get_bool("cache.enabled") ? format_bytes(p.get_unsigned("cache.l1.size")) + " L1, " +
                                            format_bytes(p.get_unsigned("cache.l2.size")) + " L2"
                                      : std::string("no caches"))
      << ", " << format_bytes(p.get_unsigned("memory.size")) << " memory at "
      << p.get_real("memory.read_latency_ns") << " ns, DMA engine "
      << (p.get_bool("dma.coherent") ? "coherent" : "not coherent (the kernel cleans caches)")
      << "\n\n";
  out << "            ------ CPU copy ------   ----- DMA engine -----\n"
      << "      size    cold cycles  warm cycles   cold cycles  warm cycles   faster when warm\n";
  const auto& cpu = results_[0].writes;
  const auto& dma = results_[1].writes;
  for (size_t i = 0; i < cpu.size() && i < dma.size(); ++i) {
    const uint64_t c = cpu[i].warm.cycles;
    const uint64_t d = dma[i].warm.cycles;
    std::ostringstream verdict;
    verdict << std::fixed << std::setprecision(1) << (c <= d ? "CPU " : "DMA ")
            << static_cast<double>(std::max(c, d)) / static_cast<double>(std::min(c, d)) << "x";
    out << std::setw(10) << format_bytes(cpu[i].size) << std::setw(15) << cpu[i].cold.cycles
        << std::setw(13) << c << std::setw(14) << dma[i].cold.cycles << std::setw(13) << d << "   "
        << verdict.str() << "\n";
  }
  if (!cpu.empty() && !dma.empty()) {
    out << "\nwhere the cycles of the cold " << format_bytes(cpu.back().size) << " write went:\n"
        << "  CPU: " << breakdown_text(cpu.back().cold) << "\n"
        << "  DMA: " << breakdown_text(dma.back().cold) << "\n";
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
    all[kEngineNames[engine]] = systems_[engine]->statistics().to_json();
  }
  return all;
}

}  // namespace zxvp
