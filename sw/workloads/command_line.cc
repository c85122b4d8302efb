#include "sw/workloads/command_line.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "platforms/default_platform.h"
#include "platforms/platform_file.h"
#include "sim/log/logger.h"
#include "sim/params/config_error.h"
#include "sim/params/units.h"
#include "sim/trace/trace_event_writer.h"
#include "sw/kernel/elf_image.h"
#include "sw/kernel/program_loader.h"
#include "sw/workloads/builtin_study.h"
#include "sw/workloads/calibration/calibrate_command.h"
#include "sw/workloads/gdb_program_debugger.h"
#include "sw/workloads/memory_probe.h"
#include "sw/workloads/program_report.h"
#include "sw/workloads/scenario.h"
#include "sw/workloads/scenario_runner.h"
#include "sw/workloads/sweep.h"
#include "sw/workloads/system.h"

namespace zxvp {
namespace {

namespace po = boost::program_options;

constexpr const char* kVersion = ZXVP_VERSION;

constexpr const char* kUsage =
    "usage:\n"
    "  zxvp [run] [SCENARIO.yaml] [options]   run a scenario, or the built-in study\n"
    "  zxvp run [options] PROGRAM.elf [ARGS...]\n"
    "                                         run a guest program (built with zxvp-cc); its\n"
    "                                         arguments follow it, zxvp's options go before it\n"
    "  zxvp params [options]                  list every parameter: value, default, unit, "
    "meaning\n"
    "  zxvp sweep SCENARIO.yaml --sweep KEY=V1,V2 [--sweep ...] [-j N] --out DIR\n"
    "  zxvp merge DIR                         join the results of `sweep --emit-jobs` runs\n"
    "  zxvp probe [options]                   the platform's memory self-check\n"
    "  zxvp calibrate [--out FILE.yaml] [--report DIR] [--quick]\n"
    "                                         fit a platform to this machine, report the error\n"
    "  zxvp --help | --version\n";

struct Options {
  std::string platform;
  std::vector<std::string> assignments;
  std::string scenario;
  std::string json_path;
  std::string stats_path;
  std::string trace_path;
  std::string vcd_path;
  std::string log_level = "warning";
  std::vector<std::string> sweeps;
  std::string out_directory;
  unsigned jobs = 0;
  bool emit_jobs = false;
  std::string program;  // a guest program to run instead of a scenario
  std::vector<std::string> program_arguments;
  std::string max_instructions;
  std::string gdb_port;  // --gdb: debug the (first) program with GDB on this port
  bool gdb_wait = false;
  std::string gdb_process;
};

double peak_resident_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

int usage_error(const std::string& message, const std::string& hint) {
  std::cerr << "zxvp: " << message << "\n" << hint << "\n";
  return kExitUsage;
}

// --gdb PORT: the debugger of the run's (first, or --gdb-process's) program, listening already;
// null without --gdb. Throws ConfigError for a bad port or one that cannot be had.
std::unique_ptr<GdbProgramDebugger> make_debugger(const Options& options, System& system) {
  if (options.gdb_port.empty()) return nullptr;
  GdbDebugOptions gdb;
  const std::string& port = options.gdb_port;
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
      std::stoul(port) > 65535) {
    throw ConfigError("--gdb " + port + ": not a port number (0 to 65535; 0: any free port)");
  }
  gdb.port = static_cast<uint16_t>(std::stoul(port));
  gdb.wait = options.gdb_wait;
  gdb.process = options.gdb_process;
  std::unique_ptr<GdbProgramDebugger> debugger;
  try {
    debugger = std::make_unique<GdbProgramDebugger>(system, gdb);
  } catch (const boost::system::system_error& error) {
    throw ConfigError("--gdb " + port + ": cannot listen on 127.0.0.1:" + port + ": " +
                      error.code().message());
  }
  system.programs().set_debugger(debugger.get());
  std::cerr << "zxvp: gdb server on 127.0.0.1:" << debugger->port()
            << (gdb.wait ? ", the program waits for a debugger" : "") << std::endl;
  return debugger;
}

// Declared keys, then the platform file, then the scenario's params, then -p.
ParameterSet configure(const Options& options, const Scenario* scenario) {
  ParameterSet parameters;
  System::declare_parameters(parameters);
  if (!options.platform.empty() || scenario == nullptr) {
    load_platform_file(options.platform.empty() ? "default" : options.platform, parameters);
  } else {
    try {
      load_platform_file(scenario->platform, parameters, scenario->platform_directory);
    } catch (const ConfigError& error) {
      throw ConfigError(scenario->path + ": " + error.what());
    }
  }
  if (scenario != nullptr) {
    for (size_t i = 0; i < scenario->params.size(); ++i) {
      parameters.set(scenario->params[i].first, scenario->params[i].second,
                     scenario->params_locations[i]);
    }
  }
  for (const std::string& assignment : options.assignments) {
    parameters.set_assignment(assignment, "-p " + assignment);
  }
  DefaultPlatform::check_parameters(parameters);
  return parameters;
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

bool write_json(const std::string& path, const boost::json::value& value) {
  std::ofstream out(path);
  out << boost::json::serialize(value) << "\n";
  out.close();
  if (!out) std::cerr << "zxvp: cannot write " << path << ": " << std::strerror(errno) << "\n";
  return static_cast<bool>(out);
}

// Refuses, before anything runs, an output file that could not be written at the end: a
// directory of that name, a directory that is not there or not writable, a file not writable.
void check_output_path(const std::string& option, const std::string& path) {
  if (path.empty()) return;
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error)) throw ConfigError(option + " " + path + ": is a directory");
  const fs::path parent =
      fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  if (!fs::is_directory(parent, error)) {
    throw ConfigError(option + " " + path + ": there is no directory " + parent.string());
  }
  const bool exists = fs::exists(path, error);
  if (access(exists ? path.c_str() : parent.c_str(), W_OK) != 0) {
    throw ConfigError(option + " " + path + ": cannot write " +
                      (exists ? std::string("it") : "into " + parent.string()) + ": " +
                      std::strerror(errno));
  }
}

void print_summary(std::chrono::steady_clock::time_point started) {
  const double host_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "host: " << std::fixed << std::setprecision(3) << host_seconds * 1e3
            << " ms, peak resident " << std::setprecision(1) << peak_resident_mib() << " MiB\n";
}

// Records every call and DMA transfer as trace events: a track for cpu0 with each call as a
// slice and its phases nested in it, a track for the DMA engine, a counter of pages in use.
void attach_trace(System& system, TraceEventWriter& trace) {
  trace.name_track(1, "cpu0");
  trace.name_track(2, "dma");
  const double mhz = static_cast<double>(system.platform().cpu.clock().frequency_mhz());
  Kernel& kernel = system.kernel();
  kernel.keep_phase_segments(true);
  kernel.add_observer([&trace, &kernel, mhz](const CallRecord& record) {
    trace.slice(1, std::string(record.name), "syscall", record.start_cycle / mhz,
                record.cycles / mhz, {{"cycles", record.cycles}});
    for (const PhaseSegment& segment : record.segments) {
      trace.slice(1, std::string(cycle_phase_name(segment.phase)), "phase",
                  segment.start_cycle / mhz, (segment.end_cycle - segment.start_cycle) / mhz);
    }
    trace.counter("physical pages in use", (record.start_cycle + record.cycles) / mhz, "pages",
                  static_cast<double>(kernel.pmm().used_pages()));
  });
  system.platform().dma.set_transfer_observer(
      [&trace](size_t channel, const sc_core::sc_time& start, const sc_core::sc_time& end,
               uint64_t bytes, bool ok) {
        trace.slice(2, "channel " + std::to_string(channel) + (ok ? "" : " (error)"), "dma",
                    start.to_seconds() * 1e6, (end - start).to_seconds() * 1e6, {{"bytes", bytes}});
      });
}

int run_scenario(const Options& options) {
  const auto started = std::chrono::steady_clock::now();
  const Scenario scenario = load_scenario(options.scenario);
  const ParameterSet parameters = configure(options, &scenario);
  for (const Step& step : scenario.steps) {
    if (step.program) {
      ProgramLoader::check_layout(*step.program, step.arguments,
                                  parameters.get_unsigned("guest.stack_size"),
                                  step.location + ": program");
    }
  }
  System system(parameters);
  sc_core::sc_trace_file* vcd = nullptr;
  if (!options.vcd_path.empty()) {
    std::string base = options.vcd_path;
    if (base.size() > 4 && base.ends_with(".vcd")) base.resize(base.size() - 4);
    vcd = sc_core::sc_create_vcd_trace_file(base.c_str());
    vcd->set_time_unit(1, sc_core::SC_PS);
    sc_core::sc_trace(vcd, system.platform().dma_interrupt, "dma_interrupt");
    sc_core::sc_trace(vcd, system.platform().dma.busy(), "dma_busy");
  }
  TraceEventWriter trace;
  if (!options.trace_path.empty()) attach_trace(system, trace);
  const auto debugger = make_debugger(options, system);
  ScenarioRunner runner(system, scenario);
  runner.on_step([](const StepResult& result) { std::cout << step_line(result) << "\n"; });
  std::cout << "zxvp " << kVersion << ": scenario '" << scenario.name << "' on platform '"
            << (options.platform.empty() ? scenario.platform : options.platform) << "', "
            << scenario.steps.size() << " steps\n";
  std::cout << std::setw(5) << "step"
            << "  " << std::left << std::setw(8) << "process" << std::setw(22) << "operation"
            << std::setw(22) << "status" << std::setw(22) << "expected" << std::right
            << std::setw(12) << "cycles"
            << "\n";
  runner.start();
  sc_core::sc_start();
  if (vcd != nullptr) sc_core::sc_close_vcd_trace_file(vcd);
  std::cout << "summary: " << runner.results().size() << " steps, " << runner.failures()
            << " failed, " << runner.total_cycles() << " cycles\n";
  print_summary(started);
  bool written = true;
  if (!options.json_path.empty()) {
    written &= write_json(
        options.json_path,
        results_json(scenario, options.platform.empty() ? scenario.platform : options.platform,
                     runner));
  }
  if (!options.stats_path.empty()) {
    written &= write_json(options.stats_path, system.statistics().to_json());
  }
  if (!options.trace_path.empty()) written &= write_json(options.trace_path, trace.to_json());
  if (!written) return kExitUsage;
  if (!runner.finished()) return kExitCheckFailed;
  return runner.failures() == 0 ? kExitOk : kExitCheckFailed;
}

// Whether `path` names a scenario: .yaml or .yml, in any case.
bool is_scenario_path(std::string_view path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".yaml" || extension == ".yml";
}

// The file after `run` is a program when it is not a scenario (.yaml, .yml): everything after
// it is the program's. Returns the arguments left for zxvp, with the program taken out.
std::vector<std::string> take_program(const std::vector<std::string>& arguments, Options& options) {
  constexpr std::array<std::string_view, 13> kTakesValue = {
      "--platform",  "-p",      "--param", "--json", "--stats", "--trace",           "--vcd",
      "--log-level", "--sweep", "--out",   "-j",     "--jobs",  "--max-instructions"};
  constexpr std::array<std::string_view, 2> kDebuggerTakesValue = {"--gdb", "--gdb-process"};
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    if (argument.starts_with("-")) {
      if (std::find(kTakesValue.begin(), kTakesValue.end(), argument) != kTakesValue.end() ||
          std::find(kDebuggerTakesValue.begin(), kDebuggerTakesValue.end(), argument) !=
              kDebuggerTakesValue.end()) {
        ++i;
      }
      continue;
    }
    if (is_scenario_path(argument)) return arguments;
    options.program = argument;
    options.program_arguments.assign(arguments.begin() + static_cast<ptrdiff_t>(i),
                                     arguments.end());
    return std::vector<std::string>(arguments.begin(),
                                    arguments.begin() + static_cast<ptrdiff_t>(i));
  }
  return arguments;
}

// `zxvp run PROGRAM.elf ARGS...`: the program's console on stdout, zxvp's own lines on stderr.
int run_program(Options options) {
  const auto started = std::chrono::steady_clock::now();
  const ElfImage image = load_elf_image(options.program);
  if (!options.max_instructions.empty()) {
    options.assignments.push_back("guest.max_instructions=" + options.max_instructions);
  }
  const ParameterSet parameters = configure(options, nullptr);
  ProgramLoader::check_layout(image, options.program_arguments,
                              parameters.get_unsigned("guest.stack_size"), options.program);
  System system(parameters);
  TraceEventWriter trace;
  if (!options.trace_path.empty()) attach_trace(system, trace);
  system.programs().keep_calls(!options.json_path.empty());
  const auto debugger = make_debugger(options, system);
  const std::string name = std::filesystem::path(options.program).stem().string();
  ProgramOutcome outcome;
  bool finished = false;
  system.kernel().cpu().start_thread("program", [&] {
    Process* process = system.kernel().create_process(name.empty() ? "main" : name);
    if (process == nullptr) {
      outcome.end = ProgramOutcome::End::not_loaded;
      outcome.report = "could not be made: no memory";
    } else {
      outcome = system.programs().run(*process, image, options.program_arguments);
    }
    finished = true;
  });
  sc_core::sc_start();
  std::cout.flush();
  if (!finished) {
    std::cerr << "zxvp: the program did not run to its end\n";
    return kExitCheckFailed;
  }
  std::cerr << "zxvp: " << program_end_line(name, outcome) << "\n";
  const double host_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << "host: " << std::fixed << std::setprecision(3) << host_seconds * 1e3
            << " ms, peak resident " << std::setprecision(1) << peak_resident_mib() << " MiB\n";
  const std::string platform = options.platform.empty() ? "default" : options.platform;
  bool written = true;
  if (!options.json_path.empty()) {
    written &=
        write_json(options.json_path,
                   program_json(options.program, options.program_arguments, platform, outcome));
  }
  if (!options.stats_path.empty()) {
    boost::json::value statistics = system.statistics().to_json();
    statistics.as_object()["program"] = program_statistics_json(outcome);
    written &= write_json(options.stats_path, statistics);
  }
  if (!options.trace_path.empty()) written &= write_json(options.trace_path, trace.to_json());
  if (!written) return kExitUsage;
  if (outcome.end != ProgramOutcome::End::exited) return kExitCheckFailed;
  // The program's own status, as a shell sees a process's: its low eight bits.
  return static_cast<int>(static_cast<uint64_t>(outcome.return_code) & 0xff);
}

int run_study(const Options& options) {
  const auto started = std::chrono::steady_clock::now();
  const ParameterSet parameters = configure(options, nullptr);
  BuiltinStudy study(parameters);
  std::cout << "zxvp " << kVersion << ": built-in study on platform '"
            << (options.platform.empty() ? "default" : options.platform)
            << "' (give a scenario file to run your own; `zxvp --help`)\n\n";
  study.start();
  sc_core::sc_start();
  if (!study.finished()) {
    std::cerr << "zxvp: the study did not finish (out of memory?)\n";
    return kExitCheckFailed;
  }
  study.print(std::cout);
  if (!options.stats_path.empty() && !write_json(options.stats_path, study.statistics_json())) {
    return kExitUsage;
  }
  std::cout << "\n";
  print_summary(started);
  return kExitOk;
}

int run_probe(const Options& options) {
  const ParameterSet parameters = configure(options, nullptr);
  DefaultPlatform platform("platform", parameters);
  MemoryProbe probe(platform, MiB);
  probe.spawn();
  sc_core::sc_start();
  probe.print(std::cout);
  return probe.data_ok() && probe.timing_ok() ? kExitOk : kExitCheckFailed;
}

std::string self_executable(const char* argv0) {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string(argv0) : self.string();
}

int run_sweep_command(const Options& options, const char* argv0) {
  if (options.scenario.empty()) {
    return usage_error("sweep needs a scenario file",
                       "type zxvp sweep SCENARIO.yaml --sweep KEY=V1,V2 --out DIR");
  }
  if (options.sweeps.empty() || options.out_directory.empty()) {
    return usage_error("sweep needs at least one --sweep KEY=V1,V2,... and --out DIR",
                       "for example: zxvp sweep s.yaml --sweep kernel.copy_engine=cpu,dma --out "
                       "results");
  }
  SweepPlan plan;
  plan.executable = self_executable(argv0);
  plan.scenario = std::filesystem::absolute(options.scenario).string();
  plan.assignments = options.assignments;
  plan.out_directory = options.out_directory;
  for (const std::string& sweep : options.sweeps) {
    plan.axes.push_back(parse_sweep_axis(sweep));
    for (size_t a = 0; a + 1 < plan.axes.size(); ++a) {
      if (plan.axes[a].key == plan.axes.back().key) {
        throw ConfigError("--sweep " + sweep + ": " + plan.axes.back().key +
                          " is swept twice (give all its values in one --sweep)");
      }
    }
  }
  if (options.jobs > 1024) {
    throw ConfigError("-j " + std::to_string(options.jobs) +
                      ": at most 1024 points at a time (0: one a core)");
  }
  // Refuse a bad key, value or combination now, not in a point after others have run.
  const Scenario scenario = load_scenario(options.scenario);
  for (size_t index = 0; index < sweep_points(plan.axes); ++index) {
    const std::vector<std::string> chosen = sweep_point(plan.axes, index);
    Options check = options;
    std::string point;
    for (size_t a = 0; a < plan.axes.size(); ++a) {
      const std::string assignment = plan.axes[a].key + "=" + chosen[a];
      check.assignments.push_back(assignment);
      point += (point.empty() ? "" : " ") + assignment;
    }
    try {
      configure(check, &scenario);
    } catch (const ConfigError& error) {
      throw ConfigError("--sweep point " + point + ": " + error.what());
    }
  }
  const auto commands = prepare_sweep(plan);
  if (options.emit_jobs) {
    for (const auto& command : commands) {
      std::string line;
      for (const std::string& word : command) {
        if (!line.empty()) line += ' ';
        line += shell_quote(word);
      }
      std::cout << line << "\n";
    }
    return kExitOk;
  }
  const unsigned jobs =
      options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  const SweepOutcome outcome = run_sweep(commands, jobs);
  if (outcome.failed_to_run != 0) {
    std::cerr << "zxvp sweep: " << outcome.failed_to_run << " point(s) failed to run\n";
    return kExitCheckFailed;
  }
  std::cout << "zxvp sweep: " << commands.size() << " points; " << merge_sweep(plan.out_directory)
            << "\n";
  if (outcome.expectations_failed != 0) {
    std::cerr << "zxvp sweep: " << outcome.expectations_failed
              << " point(s) had steps that did not end as expected (results.csv: ok=false)\n";
    return kExitCheckFailed;
  }
  return kExitOk;
}

}  // namespace

int run_command_line(int argc, char** argv) {
  Options options;
  po::options_description platform("platform options");
  platform.add_options()("platform", po::value(&options.platform)->value_name("NAME|FILE"),
                         "built-in platform name or platform YAML file (default: the "
                         "scenario's, else default)")(
      "param,p", po::value(&options.assignments)->value_name("KEY=VALUE")->composing(),
      "override a parameter, repeatable (zxvp params lists the keys)");
  po::options_description run("run options");
  run.add_options()("json", po::value(&options.json_path)->value_name("FILE"),
                    "write the step results as JSON")(
      "stats", po::value(&options.stats_path)->value_name("FILE"),
      "write every statistic of every model as JSON")(
      "trace", po::value(&options.trace_path)->value_name("FILE"),
      "write a Perfetto / Chrome trace-event JSON of the calls, their phases and DMA transfers")(
      "vcd", po::value(&options.vcd_path)->value_name("FILE"),
      "write a VCD of the DMA interrupt line and busy signal (FILE.vcd: .vcd is added when "
      "FILE does not end with it)")("log-level", po::value(&options.log_level)->value_name("LEVEL"),
                                    "error, warning, info, debug or trace (default: warning)")(
      "max-instructions", po::value(&options.max_instructions)->value_name("N"),
      "stop a guest program after N instructions (the parameter guest.max_instructions)")(
      "gdb", po::value(&options.gdb_port)->value_name("PORT"),
      "serve GDB's remote protocol on 127.0.0.1:PORT for the guest program (0: a free port, "
      "printed); in a scenario, the first program step's")(
      "gdb-wait", po::bool_switch(&options.gdb_wait),
      "with --gdb: stop before the program's first instruction until a debugger attaches")(
      "gdb-process", po::value(&options.gdb_process)->value_name("NAME"),
      "with --gdb in a scenario: debug the first program step of process NAME");
  po::options_description sweep("sweep options");
  sweep.add_options()("sweep", po::value(&options.sweeps)->value_name("KEY=V1,V2")->composing(),
                      "a swept parameter, repeatable: every combination is a point")(
      "out", po::value(&options.out_directory)->value_name("DIR"),
      "where the points' results, results.csv and the plot go")(
      "jobs,j", po::value(&options.jobs)->value_name("N"),
      "points run at once (default: the host's cores)")(
      "emit-jobs", po::bool_switch(&options.emit_jobs),
      "print one command a point instead of running them (for GNU parallel or Slurm; then "
      "zxvp merge DIR)");
  po::options_description general("general");
  general.add_options()("help,h", "show this help")("version", "print the version");
  po::options_description hidden;
  hidden.add_options()("file", po::value(&options.scenario));
  po::positional_options_description positional;
  positional.add("file", 1);

  std::vector<std::string> arguments(argv + 1, argv + argc);
  // calibrate has options of its own (zxvp calibrate --help).
  if (!arguments.empty() && arguments.front() == "calibrate") {
    return run_calibrate(std::vector<std::string>(arguments.begin() + 1, arguments.end()),
                         self_executable(argv[0]));
  }
  std::string command = "run";
  if (!arguments.empty() && !arguments.front().starts_with("-") &&
      (arguments.front() == "run" || arguments.front() == "params" ||
       arguments.front() == "sweep" || arguments.front() == "merge" ||
       arguments.front() == "probe")) {
    command = arguments.front();
    arguments.erase(arguments.begin());
  } else if (!arguments.empty() && !arguments.front().starts_with("-") &&
             !is_scenario_path(arguments.front())) {
    return usage_error(
        "unknown command '" + arguments.front() + "'",
        "commands are run, params, sweep, merge, probe and calibrate; try `zxvp --help`");
  }

  if (command == "run") arguments = take_program(arguments, options);

  po::options_description accepted;
  accepted.add(general).add(platform);
  if (command == "run") accepted.add(run);
  if (command == "sweep") accepted.add(sweep);
  if (command == "run" || command == "sweep" || command == "merge") accepted.add(hidden);
  po::variables_map values;
  try {
    po::store(po::command_line_parser(arguments).options(accepted).positional(positional).run(),
              values);
    po::notify(values);
  } catch (const po::error& error) {
    return usage_error(command + ": " + error.what(),
                       "try `zxvp --help` for the options of each command");
  }
  if (values.count("help")) {
    std::cout << "zxvp " << kVersion
              << ": a SystemC/TLM-2.0 virtual platform for a Zircon-like kernel's memory path\n\n"
              << kUsage << "\n"
              << platform << "\n"
              << run << "\n"
              << sweep << "\n"
              << "Exit status: 0 success, 1 a failed expectation or check, 2 bad usage, "
                 "scenario or configuration.\n";
    return kExitOk;
  }
  if (values.count("version")) {
    std::cout << "zxvp " << kVersion << " (SystemC " << sc_core::sc_release() << ")\n";
    return kExitOk;
  }
  const auto level = parse_log_level(options.log_level);
  if (!level) {
    return usage_error("unknown log level '" + options.log_level + "'",
                       "use one of error, warning, info, debug, trace");
  }
  set_log_level(*level);

  try {
    check_output_path("--json", options.json_path);
    check_output_path("--stats", options.stats_path);
    check_output_path("--trace", options.trace_path);
    if (!options.vcd_path.empty()) {
      check_output_path("--vcd", options.vcd_path.ends_with(".vcd") ? options.vcd_path
                                                                    : options.vcd_path + ".vcd");
    }
    if (command == "params") return list_parameters(configure(options, nullptr));
    if (command == "probe") return run_probe(options);
    if (command == "sweep") return run_sweep_command(options, argv[0]);
    if (command == "merge") {
      if (options.scenario.empty()) {
        return usage_error("merge needs the sweep's directory", "type zxvp merge DIR");
      }
      std::cout << "zxvp merge: " << merge_sweep(options.scenario) << "\n";
      return kExitOk;
    }
    if (options.gdb_port.empty() && (options.gdb_wait || !options.gdb_process.empty())) {
      return usage_error("--gdb-wait and --gdb-process go with --gdb PORT",
                         "type zxvp run --gdb PORT --gdb-wait PROGRAM.elf");
    }
    if (!options.gdb_port.empty() && options.program.empty() && options.scenario.empty()) {
      return usage_error(
          "--gdb debugs a guest program",
          "type zxvp run --gdb PORT PROGRAM.elf (or SCENARIO.yaml with program steps)");
    }
    if (!options.program.empty()) return run_program(options);
    if (!options.max_instructions.empty()) {
      if (options.scenario.empty()) {
        return usage_error("--max-instructions applies to guest programs",
                           "type zxvp run --max-instructions N PROGRAM.elf (or SCENARIO.yaml)");
      }
      options.assignments.push_back("guest.max_instructions=" + options.max_instructions);
    }
    if (options.scenario.empty()) return run_study(options);
    return run_scenario(options);
  } catch (const ConfigError& error) {
    std::cerr << "zxvp: " << error.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace zxvp
