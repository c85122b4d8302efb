#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zxvp {

// The calibration's workloads as the simulated machine runs them: the counterparts of the host
// measurements, on a platform and its parameters.
enum class ModelWorkloadKind : uint8_t {
  chase,                // `count` dependent loads, a random cycle through the lines of `bytes`
  copy_stream,          // after a copy of bytes / 2 into the other half, `count` copies more
  first_touch,          // a store to each of `count` pages of a fresh mapping (fault, commit)
  fault_present,        // a load from each of `count` committed pages of a new mapping (fault)
  commit,               // ZX_VMO_OP_COMMIT of a fresh VMO of `count` pages
  vmo_write_committed,  // zx_vmo_write of `bytes` into committed pages: cold, then again (warm)
  vmo_write_fresh,      // zx_vmo_write of `bytes` into a fresh VMO: cold, then again (warm)
  vmo_write_at,         // zx_vmo_write of `bytes` at offset `count` into committed pages
};

std::string_view model_workload_name(ModelWorkloadKind kind);
std::optional<ModelWorkloadKind> parse_model_workload(std::string_view name);

struct ModelWorkload {
  ModelWorkloadKind kind = ModelWorkloadKind::chase;
  uint64_t bytes = 0;
  uint64_t count = 0;
};

// In nanoseconds of the simulated machine (cycles at its core's clock): chase per load,
// copy_stream per copy, first_touch, fault_present and commit per page; vmo_write_committed the
// `copy` phase of the cold and the warm call, vmo_write_fresh and vmo_write_at the whole cold and
// warm call.
struct ModelResult {
  double ns = 0;
  double warm_ns = 0;
};

// A simulated machine: a platform (a built-in name or a file), parameters over it, and the
// workloads it runs one after another, each from a settled machine (caches and TLBs empty, memory
// idle) in a process of its own. The chase and the copies use physical memory from the middle of
// `memory.size` up, which the kernel's allocations (lowest address first) never reach.
struct ModelMachine {
  std::string platform = "default";
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<ModelWorkload> workloads;
};

// Runs every machine in this process, all in one simulation: SystemC elaborates once per
// process, so call it at most once (run_in_child runs it in a process of its own). Returns a
// result per workload per machine; throws ConfigError for a bad platform or parameter, or a
// workload that does not fit the machine's memory.
std::vector<std::vector<ModelResult>> run_model_machines(const std::vector<ModelMachine>& machines);

}  // namespace zxvp
