#include "sw/workloads/command_line.h"

#include <sys/resource.h>

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "platforms/default_platform.h"
#include "platforms/platform_file.h"
#include "sim/log/logger.h"
#include "sim/params/config_error.h"
#include "sim/params/units.h"
#include "sw/workloads/memory_probe.h"
#include "sw/workloads/system.h"

namespace zxvp {
namespace {

namespace po = boost::program_options;

constexpr const char* kVersion = "0.1.0";

constexpr const char* kUsage =
    "usage:\n"
    "  zxvp [run] [options]     run the built-in default on a platform\n"
    "  zxvp params [options]    list every parameter: value, default, unit, meaning\n"
    "  zxvp --help | --version\n";

// Options shared by the commands that build a platform.
struct PlatformOptions {
  std::string platform = "default";
  std::vector<std::string> assignments;
};

po::options_description platform_options(PlatformOptions& options) {
  po::options_description description("platform options");
  description.add_options()("platform", po::value(&options.platform)->value_name("NAME|FILE"),
                            "built-in platform name or platform YAML file (default: default)")(
      "param,p", po::value(&options.assignments)->value_name("KEY=VALUE")->composing(),
      "override a parameter, repeatable (zxvp params lists the keys)");
  return description;
}

ParameterSet configure(const PlatformOptions& options) {
  ParameterSet parameters;
  System::declare_parameters(parameters);
  load_platform_file(options.platform, parameters);
  for (const std::string& assignment : options.assignments) {
    parameters.set_assignment(assignment, "-p " + assignment);
  }
  return parameters;
}

double peak_resident_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void print_help(std::ostream& out, const po::options_description& run_options,
                const po::options_description& platform) {
  out << "zxvp " << kVersion
      << ": a SystemC/TLM-2.0 virtual platform for a Zircon-like kernel's memory path\n\n"
      << kUsage << "\n"
      << platform << "\n"
      << run_options << "\n"
      << "Exit status: 0 success, 1 a check failed, 2 bad usage or configuration.\n";
}

int usage_error(const std::string& message, const std::string& hint) {
  std::cerr << "zxvp: " << message << "\n" << hint << "\n";
  return kExitUsage;
}

int list_parameters(const ParameterSet& parameters) {
  size_t key_width = 3;
  for (const auto& [key, entry] : parameters.entries())
    key_width = std::max(key_width, key.size());
  std::cout << std::left << std::setw(static_cast<int>(key_width) + 2) << "KEY" << std::setw(12)
            << "VALUE" << std::setw(12) << "DEFAULT" << std::setw(13) << "UNIT"
            << "DESCRIPTION\n";
  for (const auto& [key, entry] : parameters.entries()) {
    std::cout << std::left << std::setw(static_cast<int>(key_width) + 2) << key << std::setw(12)
              << ParameterSet::format_value(entry, entry.value) << std::setw(12)
              << ParameterSet::format_value(entry, entry.default_value) << std::setw(13)
              << entry.unit << entry.description << " [" << ParameterSet::allowed_values(entry)
              << "]\n";
  }
  return kExitOk;
}

struct RunOptions {
  std::string stats_path;
  std::string log_level = "warning";
};

int run_default(const ParameterSet& parameters, const PlatformOptions& platform_options,
                const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  DefaultPlatform platform("platform", parameters);
  MemoryProbe probe(platform, MiB);
  probe.spawn();

  std::cout << "zxvp " << kVersion << ": platform '" << platform_options.platform << "', "
            << format_bytes(platform.memory.size_bytes()) << " memory\n";
  sc_core::sc_start();
  if (!probe.finished()) {
    std::cerr << "zxvp: the simulation stopped before the memory probe finished\n";
    return kExitCheckFailed;
  }
  probe.print(std::cout);

  if (!options.stats_path.empty()) {
    std::ofstream out(options.stats_path);
    out << boost::json::serialize(platform.statistics().to_json()) << "\n";
    if (!out) {
      std::cerr << "zxvp: cannot write statistics to " << options.stats_path << "\n";
      return kExitUsage;
    }
  }
  const double host_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "summary: simulated " << std::fixed << std::setprecision(3)
            << sc_core::sc_time_stamp().to_seconds() * 1e6 << " us in " << host_seconds * 1e3
            << " ms of host time, peak resident " << std::setprecision(1) << peak_resident_mib()
            << " MiB\n";
  return probe.data_ok() && probe.timing_ok() ? kExitOk : kExitCheckFailed;
}

}  // namespace

int run_command_line(int argc, char** argv) {
  PlatformOptions platform;
  RunOptions run;
  const po::options_description platform_description = platform_options(platform);
  po::options_description run_description("run options");
  run_description.add_options()("stats", po::value(&run.stats_path)->value_name("FILE"),
                                "write every statistic of every model as JSON")(
      "log-level", po::value(&run.log_level)->value_name("LEVEL"),
      "error, warning, info, debug or trace (default: warning)");
  po::options_description general("general");
  general.add_options()("help,h", "show this help")("version", "print the version");

  std::vector<std::string> arguments(argv + 1, argv + argc);
  std::string command = "run";
  if (!arguments.empty() && !arguments.front().starts_with("-")) {
    command = arguments.front();
    arguments.erase(arguments.begin());
  }
  if (command != "run" && command != "params") {
    return usage_error("unknown command '" + command + "'",
                       "commands are run and params; try `zxvp --help`");
  }

  po::options_description accepted;
  accepted.add(general).add(platform_description);
  if (command == "run") accepted.add(run_description);
  po::variables_map values;
  try {
    po::store(po::command_line_parser(arguments).options(accepted).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    return usage_error(command + ": " + error.what(),
                       "try `zxvp --help` for the options of each command");
  }
  if (values.count("help")) {
    print_help(std::cout, run_description, platform_description);
    return kExitOk;
  }
  if (values.count("version")) {
    std::cout << "zxvp " << kVersion << " (SystemC " << sc_core::sc_release() << ")\n";
    return kExitOk;
  }
  const auto level = parse_log_level(run.log_level);
  if (!level) {
    return usage_error("unknown log level '" + run.log_level + "'",
                       "use one of error, warning, info, debug, trace");
  }
  set_log_level(*level);

  try {
    const ParameterSet parameters = configure(platform);
    if (command == "params") return list_parameters(parameters);
    return run_default(parameters, platform, run);
  } catch (const ConfigError& error) {
    std::cerr << "zxvp: " << error.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace zxvp
