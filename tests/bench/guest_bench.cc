#include "tests/bench/guest_bench.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/params/config_error.h"
#include "sw/kernel/elf_image.h"
#include "sw/workloads/system.h"

namespace zxvp {

namespace {

// Enough work for a few hundred milliseconds a run at the targets (50 MIPS, 2 million calls a
// second), little enough to repeat.
constexpr const char* kComputeRounds = "300";
constexpr long kSmallWrites = 400'000;

double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  return n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

}  // namespace

GuestBenchFigures measure_guests(System& system, size_t repeat) {
  GuestBenchFigures figures;
  ElfImage compute;
  ElfImage small_writes;
  try {
    compute = load_elf_image(std::string(ZXVP_GUEST_DIR) + "/bench_compute.elf");
    small_writes = load_elf_image(std::string(ZXVP_GUEST_DIR) + "/bench_small_writes.elf");
  } catch (const ConfigError& error) {
    std::cerr << "zxvp bench: no guest figures: " << error.what() << "\n";
    return figures;
  }
  // The programs' console is not the bench's output.
  std::ostringstream console;
  system.kernel().console().set_stream(console);
  auto timed_run = [&system](const ElfImage& image, const std::vector<std::string>& arguments,
                             ProgramOutcome* outcome) {
    Process* process = system.kernel().create_process(arguments.front());
    if (process == nullptr) return -1.0;
    const auto start = std::chrono::steady_clock::now();
    *outcome = system.programs().run(*process, image, arguments);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome->end == ProgramOutcome::End::exited && outcome->return_code == 0 ? seconds
                                                                                    : -1.0;
  };
  std::vector<double> mips;
  std::vector<double> writes;
  for (size_t r = 0; r < repeat; ++r) {
    ProgramOutcome outcome;
    const double compute_seconds = timed_run(compute, {"compute", kComputeRounds}, &outcome);
    if (compute_seconds <= 0) return figures;
    mips.push_back(static_cast<double>(outcome.instructions) / compute_seconds / 1e6);
    const double write_seconds =
        timed_run(small_writes, {"small_writes", std::to_string(kSmallWrites)}, &outcome);
    if (write_seconds <= 0) return figures;
    writes.push_back(static_cast<double>(kSmallWrites) / write_seconds);
  }
  figures.mips = median(mips);
  figures.small_writes_per_s = median(writes);
  return figures;
}

}  // namespace zxvp
