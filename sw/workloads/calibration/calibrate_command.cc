#include "sw/workloads/calibration/calibrate_command.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "sw/workloads/calibration/calibration_report.h"
#include "sw/workloads/calibration/host_measurements.h"
#include "sw/workloads/calibration/model_child.h"
#include "sw/workloads/calibration/platform_fit.h"
#include "sw/workloads/calibration/platform_writer.h"
#include "sw/workloads/calibration/validation.h"
#include "sw/workloads/command_line.h"

namespace zxvp {

namespace {

namespace po = boost::program_options;

constexpr const char* kDefaultSysfs = "/sys/devices/system/cpu/cpu0/cache";

int usage_error(const std::string& message) {
  std::cerr << "zxvp calibrate: " << message << "\n"
            << "usage: zxvp calibrate [--out FILE.yaml] [--report DIR] [--quick]; "
               "zxvp calibrate --help\n";
  return kExitUsage;
}

// Whether a file can be created in `path`'s directory (tried now, so that a run does not end
// with its results unwritten).
std::string why_unwritable(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return "it is a directory";
  const std::filesystem::path probe =
      path.parent_path() / (path.filename().string() + ".zxvp-probe-" + std::to_string(getpid()));
  std::ofstream file(probe);
  if (!file)
    return "cannot create files in " + std::filesystem::absolute(path).parent_path().string();
  file.close();
  std::filesystem::remove(probe, error);
  return {};
}

}  // namespace

int run_calibrate(const std::vector<std::string>& arguments, const std::string& executable) {
  std::string out_path = "calibrated.yaml";
  std::string report_directory;
  std::string sysfs = kDefaultSysfs;
  std::string measurements_path;
  std::string simulate_request;
  std::string simulate_result;
  bool quick = false;
  po::options_description options("calibrate options");
  options.add_options()("out", po::value(&out_path)->value_name("FILE.yaml"),
                        "where the fitted platform goes (default: calibrated.yaml)")(
      "report", po::value(&report_directory)->value_name("DIR"),
      "write report.md, results.csv, measurements.json and the plots into DIR")(
      "quick", po::bool_switch(&quick), "fewer sizes and repetitions: under 30 seconds")(
      "measurements", po::value(&measurements_path)->value_name("FILE.json"),
      "fit and validate on the measurements an earlier run saved (its report's "
      "measurements.json) instead of measuring")(
      "sysfs-cache", po::value(&sysfs)->value_name("DIR"),
      "read the cache description from DIR instead of /sys/devices/system/cpu/cpu0/cache "
      "(without it, the caches are measured)")("help,h", "show this help");
  po::options_description internal;
  // The calibration's own child processes: simulate the machines of REQUEST.json.
  std::vector<std::string> unexpected;  // words that are not options, refused by name
  internal.add_options()("simulate", po::value(&simulate_request))(
      "result", po::value(&simulate_result))("unexpected", po::value(&unexpected));
  po::options_description accepted;
  accepted.add(options).add(internal);
  po::variables_map values;
  try {
    po::positional_options_description words;
    words.add("unexpected", -1);
    po::store(po::command_line_parser(arguments).options(accepted).positional(words).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    return usage_error(error.what());
  }
  if (!unexpected.empty()) {
    return usage_error("unexpected argument '" + unexpected.front() +
                       "' (calibrate takes options only)");
  }
  if (values.count("help")) {
    std::cout << "zxvp calibrate: measure this machine, fit a platform to it, and report how far "
                 "zxvp's estimates are from the machine's measured times\n\n"
              << options << "\n";
    return kExitOk;
  }
  if (!simulate_request.empty()) {
    if (simulate_result.empty()) return usage_error("--simulate needs --result FILE");
    return run_simulate_request(simulate_request, simulate_result);
  }
  if (!report_directory.empty()) {
    std::error_code error;
    std::filesystem::create_directories(report_directory, error);
    if (error) {
      return usage_error("cannot create --report " + report_directory + ": " + error.message());
    }
    if (const std::string why =
            why_unwritable(std::filesystem::path(report_directory) / "report.md");
        !why.empty()) {
      return usage_error("cannot write into --report " + report_directory + ": " + why);
    }
  }
  if (const std::string why = why_unwritable(out_path); !why.empty()) {
    return usage_error("cannot write --out " + out_path + ": " + why);
  }

  // Saved measurements are read (and refused) before anything runs.
  std::optional<HostMeasurements> saved;
  if (!measurements_path.empty()) {
    std::ifstream file(measurements_path);
    std::stringstream text;
    text << file.rdbuf();
    if (!file) return usage_error("cannot read --measurements " + measurements_path);
    boost::system::error_code error;
    const boost::json::value json = boost::json::parse(text.str(), error);
    if (error) return usage_error("--measurements " + measurements_path + ": " + error.message());
    try {
      saved = measurements_from_json(json);
    } catch (const std::runtime_error& refused) {
      return usage_error("--measurements " + measurements_path + ": " + refused.what());
    }
  }

  RunContext context;
  context.command = "zxvp calibrate";
  for (const std::string& argument : arguments)
    context.command += " " + argument;
  context.platform_file = out_path;
  context.quick = quick;
  const auto started = std::chrono::steady_clock::now();
  try {
    const Simulate simulate = [&executable](const std::vector<ModelMachine>& machines) {
      return run_in_child(executable, machines);
    };
    const HostMeasurements host =
        saved ? *saved
              : measure_host(quick ? MeasurementPlan::quick() : MeasurementPlan::full(), sysfs,
                             std::cout);
    std::cout << "host: " << host.host.summary() << "; load average " << host.load_before
              << " before measuring, " << host.load_after << " after\n";
    const FittedPlatform fit = fit_platform(host, simulate, std::cout);
    write_platform_file(fit, host.host, context.command, out_path);
    std::cout << "validating on memcpy and pwrite" << std::endl;
    const Validation validation = validate(host, out_path, simulate);
    print_summary(std::cout, host, fit, validation, context);
    if (!report_directory.empty()) {
      std::cout << write_report(report_directory, host, fit, validation, context) << "\n";
    }
  } catch (const std::exception& error) {
    std::cerr << "zxvp calibrate: " << error.what() << "\n";
    return kExitCheckFailed;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "calibrate: " << static_cast<int>(seconds + 0.5) << " s\n";
  return kExitOk;
}

}  // namespace zxvp
