#include "tests/bench/bench.h"

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <tuple>
#include <vector>

#include "models/memory/memory.h"
#include "models/traffic/traffic_initiator.h"
#include "platforms/platform_file.h"
#include "sim/host_description.h"
#include "sim/params/units.h"
#include "sw/workloads/system.h"
#include "tests/bench/guest_bench.h"

extern char** environ;

namespace zxvp {

namespace {

using HostClock = std::chrono::steady_clock;

double seconds_since(HostClock::time_point start) {
  return std::chrono::duration<double>(HostClock::now() - start).count();
}

// Lets SystemC threads run one after another, in the order of their numbers.
class Turns {
 public:
  explicit Turns(size_t count) : done_(count, false) {}
  void await(size_t turn) {
    while (turn > 0 && !done_[turn - 1])
      sc_core::wait(changed_);
  }
  // A delta notification: every thread is waiting by then, even those not started yet.
  void finish(size_t turn) {
    done_[turn] = true;
    changed_.notify(sc_core::SC_ZERO_TIME);
  }

 private:
  std::vector<bool> done_;
  sc_core::sc_event changed_;
};

double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  return n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

ParameterSet system_parameters(const std::vector<std::string>& overrides) {
  ParameterSet parameters;
  System::declare_parameters(parameters);
  load_platform_file("default", parameters);
  for (const std::string& assignment : overrides)
    parameters.set_assignment(assignment, "bench");
  return parameters;
}

struct Figures {
  double memcpy_64mib_s = 0;
  double large_write_s = 0;
  double large_write_fresh_s = 0;
  double large_write_dma_s = 0;
  double large_write_ratio = 0;  // medians of each sample's memcpy time over its write time
  double large_write_fresh_ratio = 0;
  double large_write_dma_ratio = 0;
  double small_write_s = 0;
  double b_transport_s = 0;
  double scenario_steps_per_s = 0;
  double write_1mib_s = 0;
  double write_256mib_s = 0;
  double sparse_rss_mib = 0;
  GuestBenchFigures guest;
};

// A process with a mapped buffer of `size` holding data, and a VMO of `size`.
struct Workspace {
  Process* process = nullptr;
  uint64_t buffer = 0;
  zx_handle_t vmo = ZX_HANDLE_INVALID;
};

Workspace prepare(Kernel& kernel, uint64_t size, bool commit_vmo) {
  Workspace space;
  space.process = kernel.create_process("bench");
  zx_handle_t buffer_vmo = ZX_HANDLE_INVALID;
  kernel.vmo_create(*space.process, size, 0, &buffer_vmo);
  kernel.vmar_map(*space.process, space.process->root_vmar_handle(),
                  ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, buffer_vmo, 0, size, &space.buffer);
  const std::vector<uint8_t> data(size, 0x5A);
  kernel.user_store(*space.process, space.buffer, data.data(), data.size());
  kernel.vmo_create(*space.process, size, 0, &space.vmo);
  if (commit_vmo) kernel.vmo_op_range(*space.process, space.vmo, ZX_VMO_OP_COMMIT, 0, size, 0);
  return space;
}

// The scenario of `scenario_steps_per_s`: 4 KiB writes and reads, loads and stores.
std::string step_scenario(size_t steps) {
  std::string text =
      "name: bench-steps\nsteps:\n"
      "  - vmo_create: {size: 64KiB, out: v}\n"
      "  - vmo_create: {size: 64KiB, out: b}\n"
      "  - vmar_map: {vmo: b, options: [ZX_VM_PERM_READ, ZX_VM_PERM_WRITE], len: 64KiB, out: "
      "buf}\n";
  // Groups of four steps on one page: store a value, write the page into the VMO, read it back,
  // load the value (so every step also checks the one before).
  for (size_t i = 3; i < steps; ++i) {
    const size_t group = i / 4;
    const std::string page = std::to_string((group * 7) % 16 * 4096);
    switch (i % 4) {
      case 0:
        text += "  - store: {addr: \"buf+" + page + "\", u64: " + std::to_string(group) + "}\n";
        break;
      case 1:
        text += "  - vmo_write: {handle: v, buffer: \"buf+" + page + "\", offset: " + page +
                ", buffer_size: 4096}\n";
        break;
      case 2:
        text += "  - vmo_read: {handle: v, buffer: \"buf+" + page + "\", offset: " + page +
                ", buffer_size: 4096}\n";
        break;
      default:
        text += "  - load: {addr: \"buf+" + page + "\", u64: " + std::to_string(group) + "}\n";
        break;
    }
  }
  return text;
}

// Runs `zxvp run SCENARIO` in a child process; its wall time and peak resident MiB, or a
// negative time when it failed.
std::pair<double, double> run_child(const std::string& executable,
                                    const std::filesystem::path& scenario) {
  // posix_spawn, not fork: this process holds gigabytes of simulated memory, and copying its
  // page tables would be timed as the child's.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::string run = "run";
  std::string path = scenario.string();
  std::string program = executable;
  char* argv[] = {program.data(), run.data(), path.data(), nullptr};
  const auto start = HostClock::now();
  pid_t child = 0;
  const int error = posix_spawn(&child, argv[0], &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) return {-1.0, 0.0};
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  const double wall = seconds_since(start);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {-1.0, 0.0};
  return {wall, static_cast<double>(usage.ru_maxrss) / 1024.0};
}

// Peak resident MiB of `zxvp run` on a 64 GiB platform writing 1 GiB, in a child process.
double sparse_rss(const std::string& executable) {
  const auto directory = std::filesystem::temp_directory_path();
  const auto scenario = directory / ("zxvp_bench_sparse_" + std::to_string(getpid()) + ".yaml");
  // 1 GiB written into a VMO, from a 1 GiB buffer (a mapping of another VMO, faulted in).
  std::ofstream(scenario) << "name: sparse\nparams:\n  memory.size: 64GiB\nsteps:\n"
                             "  - vmo_create: {size: 1GiB, out: v}\n"
                             "  - vmar_map: {vmo: v, options: [ZX_VM_PERM_READ], len: 1GiB, "
                             "out: whole}\n"
                             "  - vmo_create: {size: 1GiB, out: w}\n"
                             "  - vmo_write: {handle: w, buffer: whole, offset: 0, "
                             "buffer_size: 1GiB}\n";
  const auto [wall, rss] = run_child(executable, scenario);
  std::filesystem::remove(scenario);
  return wall < 0 ? -1.0 : rss;
}

// Steps per second of the 10,000-step scenario through `zxvp run`, process start included.
double scenario_rate(const std::string& executable, size_t repeat) {
  constexpr size_t kSteps = 10'000;
  const auto scenario = std::filesystem::temp_directory_path() /
                        ("zxvp_bench_steps_" + std::to_string(getpid()) + ".yaml");
  std::ofstream(scenario) << step_scenario(kSteps);
  std::vector<double> samples;
  for (size_t r = 0; r < repeat; ++r) {
    const double wall = run_child(executable, scenario).first;
    if (wall < 0) return -1;
    samples.push_back(kSteps / wall);
  }
  std::filesystem::remove(scenario);
  return median(samples);
}

}  // namespace

int run_bench(const std::vector<std::string>& arguments, const std::string& executable) {
  bool json = false;
  size_t repeat = 5;
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i] == "--json") {
      json = true;
    } else if (arguments[i] == "--repeat") {
      const std::string value = i + 1 < arguments.size() ? arguments[++i] : "";
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), repeat);
      if (error != std::errc() || end != value.data() + value.size() || repeat < 1 ||
          repeat > 1000) {
        std::cerr << "zxvp bench: --repeat needs a number of runs from 1 to 1000, not '" << value
                  << "'\n";
        return 2;
      }
    } else {
      std::cerr << "zxvp bench: unknown argument '" << arguments[i]
                << "'; usage: zxvp bench [--json] [--repeat N]\n";
      return 2;
    }
  }
  constexpr uint64_t kLarge = 64 * MiB;
  Figures figures;

  // Baseline: host memcpy of 64 MiB. One is timed right before each sample of a large write, and
  // each sample's ratio is taken against its own baseline: the host's memory bandwidth drifts
  // by tens of percent from one second to the next on this machine.
  std::vector<uint8_t> memcpy_from(kLarge, 1);
  std::vector<uint8_t> memcpy_to(kLarge, 2);
  std::vector<double> memcpy_samples;
  auto host_memcpy = [&] {
    const auto start = HostClock::now();
    std::memcpy(memcpy_to.data(), memcpy_from.data(), kLarge);
    benchmark::DoNotOptimize(memcpy_to.data());
    benchmark::ClobberMemory();
    memcpy_samples.push_back(seconds_since(start));
    return memcpy_samples.back();
  };
  host_memcpy();  // warm-up

  // The simulated systems, all in one elaboration.
  const ParameterSet cpu_parameters = system_parameters({"kernel.copy_engine=cpu"});
  const ParameterSet dma_parameters = system_parameters({"kernel.copy_engine=dma"});
  const ParameterSet big_parameters =
      system_parameters({"kernel.copy_engine=cpu", "memory.size=2GiB"});
  System cpu_system(cpu_parameters, "bench_cpu");
  System fresh_system(cpu_parameters, "bench_fresh");
  System dma_system(dma_parameters, "bench_dma");
  System scaling_system(big_parameters, "bench_scaling");
  // Guest code on the default platform, caches on.
  System guest_system(system_parameters({}), "bench_guest");

  // Bare b_transport: an initiator straight on a memory target.
  StatisticsRegistry bare_statistics;
  MemoryConfig bare_memory_config;
  bare_memory_config.size = 16 * MiB;
  Memory bare_memory("bare_memory", bare_memory_config, bare_statistics);
  TrafficInitiator bare_initiator("bare_initiator", false);
  bare_initiator.port.socket.bind(bare_memory.socket);

  // The systems share one simulation; each measures only while the others wait, so that no
  // figure includes another system's work done when its core synchronised.
  Turns turns(6);
  // A large write's samples, each after its baseline: the median time and the median ratio.
  auto against_memcpy = [&](const std::function<void()>& prepare_sample,
                            const std::function<void()>& call) {
    std::vector<double> times;
    std::vector<double> ratios;
    for (size_t r = 0; r < repeat; ++r) {
      prepare_sample();
      const double baseline = host_memcpy();
      const auto start = HostClock::now();
      call();
      times.push_back(seconds_since(start));
      ratios.push_back(baseline / times.back());
    }
    return std::pair{median(times), median(ratios)};
  };
  auto timed = [repeat](const std::function<void()>& call) {
    std::vector<double> samples;
    for (size_t r = 0; r < repeat; ++r) {
      const auto start = HostClock::now();
      call();
      samples.push_back(seconds_since(start));
    }
    return median(samples);
  };

  cpu_system.kernel().cpu().start_thread("bench_cpu_thread", [&] {
    turns.await(0);
    Kernel& kernel = cpu_system.kernel();
    Workspace space = prepare(kernel, kLarge, true);
    kernel.vmo_write(*space.process, space.vmo, space.buffer, 0, kLarge);  // warm-up
    std::tie(figures.large_write_s, figures.large_write_ratio) = against_memcpy(
        [] {}, [&] { kernel.vmo_write(*space.process, space.vmo, space.buffer, 0, kLarge); });
    // Small writes: warm TLB, committed page.
    constexpr size_t kCalls = 100'000;
    std::vector<double> samples;
    for (size_t r = 0; r < repeat; ++r) {
      const auto start = HostClock::now();
      for (size_t i = 0; i < kCalls; ++i)
        kernel.vmo_write(*space.process, space.vmo, space.buffer, 64, 64);
      samples.push_back(seconds_since(start) / kCalls);
    }
    figures.small_write_s = median(samples);
    turns.finish(0);
  });
  fresh_system.kernel().cpu().start_thread("bench_fresh_thread", [&] {
    turns.await(1);
    Kernel& kernel = fresh_system.kernel();
    Workspace space = prepare(kernel, kLarge, false);
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    std::tie(figures.large_write_fresh_s, figures.large_write_fresh_ratio) = against_memcpy(
        [&] {
          if (vmo != ZX_HANDLE_INVALID) kernel.handle_close(*space.process, vmo);
          kernel.vmo_create(*space.process, kLarge, 0, &vmo);
        },
        [&] { kernel.vmo_write(*space.process, vmo, space.buffer, 0, kLarge); });
    kernel.handle_close(*space.process, vmo);
    turns.finish(1);
  });
  dma_system.kernel().cpu().start_thread("bench_dma_thread", [&] {
    turns.await(2);
    Kernel& kernel = dma_system.kernel();
    Workspace space = prepare(kernel, kLarge, true);
    kernel.vmo_write(*space.process, space.vmo, space.buffer, 0, kLarge);
    std::tie(figures.large_write_dma_s, figures.large_write_dma_ratio) = against_memcpy(
        [] {}, [&] { kernel.vmo_write(*space.process, space.vmo, space.buffer, 0, kLarge); });
    turns.finish(2);
  });
  scaling_system.kernel().cpu().start_thread("bench_scaling_thread", [&] {
    turns.await(3);
    Kernel& kernel = scaling_system.kernel();
    Workspace space = prepare(kernel, 256 * MiB, true);
    kernel.vmo_write(*space.process, space.vmo, space.buffer, 0, 256 * MiB);
    figures.write_256mib_s =
        timed([&] { kernel.vmo_write(*space.process, space.vmo, space.buffer, 0, 256 * MiB); });
    // 1 MiB writes in the same conditions as the 256 MiB one: bytes not in the host's caches
    // (each sample writes 16 places of the 256 MiB that no sample wrote since the big write),
    // so that the ratio measures the simulator's scaling, not the host cache's reach.
    constexpr uint64_t kPlaces = 16;
    std::vector<double> samples;
    for (size_t r = 0; r < repeat; ++r) {
      const auto start = HostClock::now();
      for (uint64_t place = 0; place < kPlaces; ++place) {
        const uint64_t offset = ((place * kPlaces + r % kPlaces) * MiB) % (256 * MiB);
        kernel.vmo_write(*space.process, space.vmo, space.buffer + offset, offset, MiB);
      }
      samples.push_back(seconds_since(start) / kPlaces);
    }
    figures.write_1mib_s = median(samples);
    turns.finish(3);
  });
  guest_system.kernel().cpu().start_thread("bench_guest_thread", [&] {
    turns.await(4);
    figures.guest = measure_guests(guest_system, repeat);
    turns.finish(4);
  });
  sc_core::sc_spawn(
      [&] {
        turns.await(5);
        constexpr size_t kAccesses = 100'000;
        uint64_t word = 0;
        std::vector<double> samples;
        for (size_t r = 0; r < repeat; ++r) {
          sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
          const auto start = HostClock::now();
          for (size_t i = 0; i < kAccesses; ++i) {
            bare_initiator.port.write((i * 64) % (8 * MiB), &word, sizeof word, delay);
          }
          samples.push_back(seconds_since(start) / kAccesses);
        }
        figures.b_transport_s = median(samples);
      },
      "bench_b_transport");
  sc_core::sc_start();
  figures.scenario_steps_per_s = scenario_rate(executable, repeat);
  figures.sparse_rss_mib = sparse_rss(executable);

  figures.memcpy_64mib_s = median(memcpy_samples);
  const double ratio_large = figures.large_write_ratio;
  const double ratio_fresh = figures.large_write_fresh_ratio;
  const double ratio_dma = figures.large_write_dma_ratio;
  const double calls_per_s = 1.0 / figures.small_write_s;
  const double vs_b_transport = figures.small_write_s / figures.b_transport_s;
  const double scaling = (figures.write_256mib_s / (256 * MiB)) / (figures.write_1mib_s / MiB);
  // Absolute figures mean little without the machine; ratios to a baseline of the same run
  // travel better, but the host still says which machine gave them.
  const HostDescription host = describe_this_host();
  if (json) {
    auto known = [](const auto& value) -> boost::json::value {
      if (value) return boost::json::value(*value);
      return nullptr;
    };
    const boost::json::object out{
        {"host",
         {{"cpu_model", host.cpu_model},
          {"cpu_family", known(host.cpu_family)},
          {"cpu_model_number", known(host.cpu_model_number)},
          {"cores_online", host.cores_online},
          {"clock_mhz", known(host.clock_mhz)},
          {"virtual_machine", host.virtual_machine}}},
        {"large_write_memcpy_ratio", ratio_large},
        {"large_write_fresh_memcpy_ratio", ratio_fresh},
        {"large_write_dma_memcpy_ratio", ratio_dma},
        {"small_write_calls_per_s", calls_per_s},
        {"small_write_vs_b_transport", vs_b_transport},
        {"scenario_steps_per_s", figures.scenario_steps_per_s},
        {"sparse_64gib_rss_mib", figures.sparse_rss_mib},
        {"bytes_scaling", scaling},
        {"guest_mips", figures.guest.mips},
        {"guest_small_writes_per_s", figures.guest.small_writes_per_s},
    };
    std::cout << boost::json::serialize(out) << "\n";
    return 0;
  }
  std::cout
      << std::fixed << std::setprecision(3) << "zxvp bench: medians of " << repeat
      << " runs, baselines in the same process\n"
      << "  host: " << host.summary() << "\n"
      << "  host memcpy 64 MiB                     " << figures.memcpy_64mib_s * 1e3 << " ms\n"
      << "  64 MiB zx_vmo_write, CPU, committed     " << figures.large_write_s * 1e3
      << " ms   large_write_memcpy_ratio       " << ratio_large << "\n"
      << "  64 MiB zx_vmo_write, CPU, fresh pages   " << figures.large_write_fresh_s * 1e3
      << " ms   large_write_fresh_memcpy_ratio " << ratio_fresh << "\n"
      << "  64 MiB zx_vmo_write, DMA engine         " << figures.large_write_dma_s * 1e3
      << " ms   large_write_dma_memcpy_ratio   " << ratio_dma << "\n"
      << "  64 B zx_vmo_write                       " << figures.small_write_s * 1e9
      << " ns   small_write_calls_per_s        " << std::setprecision(0) << calls_per_s << "\n"
      << std::setprecision(3) << "  bare b_transport                        "
      << figures.b_transport_s * 1e9 << " ns   small_write_vs_b_transport     " << vs_b_transport
      << "\n"
      << "  10,000-step scenario                                scenario_steps_per_s           "
      << std::setprecision(0) << figures.scenario_steps_per_s << "\n"
      << std::setprecision(1)
      << "  64 GiB platform writing 1 GiB                       sparse_64gib_rss_mib           "
      << figures.sparse_rss_mib << "\n"
      << std::setprecision(3)
      << "  256 MiB vs 1 MiB write, time per byte               bytes_scaling                  "
      << scaling << "\n"
      << std::setprecision(1)
      << "  guest compute program (RV64 hart, caches on)        guest_mips                     "
      << figures.guest.mips << "\n"
      << std::setprecision(0)
      << "  guest loop of 64 B zx_vmo_write calls               guest_small_writes_per_s       "
      << figures.guest.small_writes_per_s << "\n";
  return 0;
}

}  // namespace zxvp
