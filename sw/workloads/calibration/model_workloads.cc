#include "sw/workloads/calibration/model_workloads.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>

#include "platforms/platform_file.h"
#include "sim/params/config_error.h"
#include "sw/kernel/physical_memory_manager.h"
#include "sw/workloads/system.h"

namespace zxvp {

namespace {

constexpr std::pair<ModelWorkloadKind, std::string_view> kNames[] = {
    {ModelWorkloadKind::chase, "chase"},
    {ModelWorkloadKind::copy_stream, "copy_stream"},
    {ModelWorkloadKind::first_touch, "first_touch"},
    {ModelWorkloadKind::fault_present, "fault_present"},
    {ModelWorkloadKind::commit, "commit"},
    {ModelWorkloadKind::vmo_write_committed, "vmo_write_committed"},
    {ModelWorkloadKind::vmo_write_fresh, "vmo_write_fresh"},
    {ModelWorkloadKind::vmo_write_at, "vmo_write_at"},
};

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMiB = 1024 * 1024;

// One machine and its workloads.
class Runner {
 public:
  Runner(const ModelMachine& machine, const std::string& name)
      : machine_(machine), parameters_(configure(machine)) {
    system_ = std::make_unique<System>(parameters_, name.c_str());
    clock_mhz_ = static_cast<double>(parameters_.get_unsigned("cpu.clock_mhz"));
    line_bytes_ = parameters_.get_unsigned("cpu.line_bytes");
    const uint64_t half_memory = parameters_.get_unsigned("memory.size") / 2;
    for (const ModelWorkload& workload : machine.workloads) {
      const bool physical = workload.kind == ModelWorkloadKind::chase ||
                            workload.kind == ModelWorkloadKind::copy_stream;
      if (physical && workload.bytes > half_memory) {
        throw ConfigError(std::string(model_workload_name(workload.kind)) + " of " +
                          std::to_string(workload.bytes) + " bytes needs memory.size of at least " +
                          std::to_string(2 * workload.bytes));
      }
    }
  }

  void start(const std::string& name) {
    system_->kernel().cpu().start_thread(name, [this] {
      // A workload that cannot be set up (memory exhausted) ends the list: the caller sees
      // fewer results than workloads.
      for (const ModelWorkload& workload : machine_.workloads) {
        const std::optional<ModelResult> result = run(workload);
        if (!result) return;
        results_.push_back(*result);
      }
    });
  }
  const std::vector<ModelResult>& results() const { return results_; }

 private:
  static ParameterSet configure(const ModelMachine& machine) {
    ParameterSet parameters;
    System::declare_parameters(parameters);
    load_platform_file(machine.platform, parameters);
    for (const auto& [key, value] : machine.params)
      parameters.set(key, value, "calibration");
    return parameters;
  }

  double ns(uint64_t cycles) const { return static_cast<double>(cycles) * 1e3 / clock_mhz_; }

  std::optional<ModelResult> run(const ModelWorkload& workload) {
    switch (workload.kind) {
      case ModelWorkloadKind::chase:
        return chase(workload.bytes, workload.count);
      case ModelWorkloadKind::copy_stream:
        return copy_stream(workload.bytes, workload.count);
      case ModelWorkloadKind::first_touch:
        return touch(workload.count, false);
      case ModelWorkloadKind::fault_present:
        return touch(workload.count, true);
      case ModelWorkloadKind::commit:
        return commit(workload.count);
      case ModelWorkloadKind::vmo_write_committed:
        return vmo_write(workload.bytes, 0, true, false);
      case ModelWorkloadKind::vmo_write_fresh:
        return vmo_write(workload.bytes, 0, false, true);
      case ModelWorkloadKind::vmo_write_at:
        return vmo_write(workload.bytes, workload.count, true, true);
    }
    return std::nullopt;
  }

  // Physical pages for a workload that addresses memory without a process: taken from the
  // kernel's allocator, so they are placed as the platform places any buffer's (the host's loops
  // ran in pages its kernel placed), and given back after.
  class PhysicalPages {
   public:
    PhysicalPages(PhysicalMemoryManager& pmm, uint64_t bytes) : pmm_(pmm) {
      for (uint64_t page = 0; page < (bytes + kPage - 1) / kPage; ++page) {
        const std::optional<uint64_t> address = pmm.allocate();
        if (!address) return;
        pages_.push_back(*address);
      }
      complete_ = true;
    }
    ~PhysicalPages() {
      for (uint64_t address : pages_)
        pmm_.free(address);
    }
    PhysicalPages(const PhysicalPages&) = delete;
    PhysicalPages& operator=(const PhysicalPages&) = delete;

    bool complete() const { return complete_; }
    uint64_t address(uint64_t offset) const { return pages_[offset / kPage] + offset % kPage; }

   private:
    PhysicalMemoryManager& pmm_;
    std::vector<uint64_t> pages_;
    bool complete_ = false;
  };

  // As the host's chase: Sattolo's shuffle makes the order one cycle through every line.
  std::optional<ModelResult> chase(uint64_t bytes, uint64_t loads) {
    CpuCore& cpu = system_->kernel().cpu();
    const PhysicalPages memory(system_->kernel().pmm(), bytes);
    if (!memory.complete()) return std::nullopt;
    const uint64_t lines = std::max<uint64_t>(1, bytes / line_bytes_);
    std::vector<uint32_t> next(lines);
    for (uint64_t i = 0; i < lines; ++i)
      next[i] = static_cast<uint32_t>(i);
    std::mt19937_64 random(lines);
    for (uint64_t i = lines - 1; i > 0; --i) {
      std::uniform_int_distribution<uint64_t> pick(0, i - 1);
      std::swap(next[i], next[pick(random)]);
    }
    system_->platform().settle();
    uint64_t line = 0;
    uint64_t value = 0;
    auto walk = [&](uint64_t count) {
      for (uint64_t i = 0; i < count; ++i) {
        cpu.physical_read(memory.address(line * line_bytes_), &value, sizeof value);
        line = next[line];
      }
    };
    // Warm-up, as on the host: a whole cycle brings a working set a cache can hold into it.
    walk(bytes <= 16 * kMiB ? lines : std::min(loads, lines));
    const uint64_t start = cpu.cycles();
    walk(loads);
    return ModelResult{ns(cpu.cycles() - start) / static_cast<double>(loads), 0};
  }

  // As the host's copy loop: a pass to warm up, then `passes` timed.
  std::optional<ModelResult> copy_stream(uint64_t bytes, uint64_t passes) {
    CpuCore& cpu = system_->kernel().cpu();
    const uint64_t half = bytes / 2;
    const PhysicalPages memory(system_->kernel().pmm(), 2 * half);
    if (!memory.complete()) return std::nullopt;
    auto copy = [&] {
      for (uint64_t done = 0; done < half;) {
        const uint64_t piece =
            std::min({half - done, kPage - done % kPage, kPage - (half + done) % kPage});
        cpu.copy_physical(memory.address(done), memory.address(half + done), piece);
        done += piece;
      }
    };
    system_->platform().settle();
    copy();
    cpu.drain();
    const uint64_t start = cpu.cycles();
    for (uint64_t pass = 0; pass < passes; ++pass)
      copy();
    cpu.drain();
    return ModelResult{ns(cpu.cycles() - start) / static_cast<double>(passes), 0};
  }

  // A byte stored to each page of a new mapping of a fresh VMO (first touch), or loaded from
  // each page of a new mapping of a committed one (a fault that commits nothing).
  std::optional<ModelResult> touch(uint64_t pages, bool committed) {
    Kernel& kernel = system_->kernel();
    Process* process = kernel.create_process("calibration");
    if (process == nullptr) return std::nullopt;
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    uint64_t address = 0;
    std::optional<ModelResult> result;
    if (kernel.vmo_create(*process, pages * kPage, 0, &vmo) == ZX_OK &&
        (!committed ||
         kernel.vmo_op_range(*process, vmo, ZX_VMO_OP_COMMIT, 0, pages * kPage, 0) == ZX_OK) &&
        kernel.vmar_map(*process, process->root_vmar_handle(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                        0, vmo, 0, pages * kPage, &address) == ZX_OK) {
      system_->platform().settle();
      const uint64_t start = kernel.cpu().cycles();
      uint8_t byte = 1;
      for (uint64_t page = 0; page < pages; ++page) {
        if (committed) {
          kernel.user_load(*process, address + page * kPage, &byte, 1);
        } else {
          kernel.user_store(*process, address + page * kPage, &byte, 1);
        }
      }
      result = ModelResult{ns(kernel.cpu().cycles() - start) / static_cast<double>(pages), 0};
    }
    kernel.destroy_process(*process);
    return result;
  }

  // The pages of a fresh VMO committed by one call.
  std::optional<ModelResult> commit(uint64_t pages) {
    Kernel& kernel = system_->kernel();
    Process* process = kernel.create_process("calibration");
    if (process == nullptr) return std::nullopt;
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    std::optional<ModelResult> result;
    if (kernel.vmo_create(*process, pages * kPage, 0, &vmo) == ZX_OK) {
      system_->platform().settle();
      const uint64_t start = kernel.cpu().cycles();
      if (kernel.vmo_op_range(*process, vmo, ZX_VMO_OP_COMMIT, 0, pages * kPage, 0) == ZX_OK) {
        result = ModelResult{ns(kernel.cpu().cycles() - start) / static_cast<double>(pages), 0};
      }
    }
    kernel.destroy_process(*process);
    return result;
  }

  // A buffer written by user code (its pages committed), then the same write at `offset` twice:
  // the `copy` phase or the whole call.
  std::optional<ModelResult> vmo_write(uint64_t bytes, uint64_t offset, bool committed,
                                       bool whole_call) {
    Kernel& kernel = system_->kernel();
    Process* process = kernel.create_process("calibration");
    if (process == nullptr) return std::nullopt;
    zx_handle_t buffer_vmo = ZX_HANDLE_INVALID;
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    uint64_t buffer = 0;
    const std::vector<uint8_t> fill(bytes, 0xA5);
    std::optional<ModelResult> result;
    if (kernel.vmo_create(*process, bytes, 0, &buffer_vmo) == ZX_OK &&
        kernel.vmar_map(*process, process->root_vmar_handle(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                        0, buffer_vmo, 0, bytes, &buffer) == ZX_OK &&
        kernel.user_store(*process, buffer, fill.data(), fill.size()) == ZX_OK &&
        kernel.vmo_create(*process, offset + bytes, 0, &vmo) == ZX_OK &&
        (!committed ||
         kernel.vmo_op_range(*process, vmo, ZX_VMO_OP_COMMIT, 0, offset + bytes, 0) == ZX_OK)) {
      system_->platform().settle();
      auto measured = [&] {
        kernel.vmo_write(*process, vmo, buffer, offset, bytes);
        const CallRecord& record = kernel.last_record();
        return ns(whole_call ? record.cycles
                             : record.breakdown[static_cast<size_t>(CyclePhase::copy)]);
      };
      const double cold = measured();
      result = ModelResult{cold, measured()};
    }
    kernel.destroy_process(*process);
    return result;
  }

  const ModelMachine& machine_;
  ParameterSet parameters_;
  std::unique_ptr<System> system_;
  double clock_mhz_ = 0;
  uint64_t line_bytes_ = 0;
  std::vector<ModelResult> results_;
};

}  // namespace

std::string_view model_workload_name(ModelWorkloadKind kind) {
  for (const auto& [known, name] : kNames) {
    if (known == kind) return name;
  }
  return "?";
}

std::optional<ModelWorkloadKind> parse_model_workload(std::string_view name) {
  for (const auto& [kind, known] : kNames) {
    if (known == name) return kind;
  }
  return std::nullopt;
}

std::vector<std::vector<ModelResult>> run_model_machines(
    const std::vector<ModelMachine>& machines) {
  std::vector<std::unique_ptr<Runner>> runners;
  for (size_t i = 0; i < machines.size(); ++i) {
    runners.push_back(std::make_unique<Runner>(machines[i], "machine" + std::to_string(i)));
  }
  for (size_t i = 0; i < runners.size(); ++i)
    runners[i]->start("machine" + std::to_string(i) + "_workloads");
  sc_core::sc_start();
  std::vector<std::vector<ModelResult>> results;
  for (size_t i = 0; i < runners.size(); ++i) {
    if (runners[i]->results().size() != machines[i].workloads.size()) {
      throw std::runtime_error("simulated machine " + std::to_string(i) +
                               " did not finish its workloads");
    }
    results.push_back(runners[i]->results());
  }
  return results;
}

}  // namespace zxvp
