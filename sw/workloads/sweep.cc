#include "sw/workloads/sweep.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "sim/params/config_error.h"
#include "sim/params/units.h"

extern char** environ;

namespace zxvp {

namespace {

std::string point_file(size_t index) {
  return "point-" + std::to_string(index) + ".json";
}

boost::json::value read_json(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) throw ConfigError(path.string() + ": cannot read it");
  std::stringstream text;
  text << file.rdbuf();
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(text.str(), error);
  if (error) throw ConfigError(path.string() + ": not valid JSON: " + error.message());
  return value;
}

bool numeric(const std::string& text) {
  if (text.empty()) return false;
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// What the plot shows of a point: the mean cycles of its system calls (store and load steps are
// user code, not calls), or of its steps when it makes no call. A sum over the whole scenario
// would let setup steps and the number of calls hide what the swept key does to one call.
struct PointCost {
  double cycles = 0;
  size_t calls = 0;
  std::string only_call;  // the operation, when the point makes exactly one call
};

PointCost cost_of(const boost::json::array& steps) {
  uint64_t call_cycles = 0;
  uint64_t step_cycles = 0;
  size_t calls = 0;
  size_t steps_run = 0;
  std::string call_op;
  for (const auto& step : steps) {
    if (step.at("status").as_string() == "(not run)") continue;
    const uint64_t cycles = step.at("cycles").to_number<uint64_t>();
    const std::string op(step.at("op").as_string().c_str());
    ++steps_run;
    step_cycles += cycles;
    if (op == "store" || op == "load") continue;
    ++calls;
    call_cycles += cycles;
    call_op = op;
  }
  PointCost cost;
  cost.calls = calls;
  if (calls > 0) {
    cost.cycles = static_cast<double>(call_cycles) / static_cast<double>(calls);
    if (calls == 1) cost.only_call = call_op;
  } else if (steps_run > 0) {
    cost.cycles = static_cast<double>(step_cycles) / static_cast<double>(steps_run);
  }
  return cost;
}

// Where the swept values go on the x axis: numbers where they are, sizes ("4KiB") in bytes on a
// base-2 axis, anything else one after another.
struct XAxis {
  std::vector<double> positions;  // one per value, in the order given
  int log_base = 0;               // 0: linear
};

XAxis x_axis_of(const std::vector<std::string>& values) {
  XAxis axis;
  bool all_numbers = true;
  bool sizes = false;
  std::vector<double> parsed;
  for (const std::string& value : values) {
    std::string why;
    if (numeric(value)) {
      parsed.push_back(std::strtod(value.c_str(), nullptr));
    } else if (const auto bytes = parse_unsigned(value, why)) {
      parsed.push_back(static_cast<double>(*bytes));
      sizes = true;
    } else {
      all_numbers = false;
    }
  }
  if (!all_numbers) {
    for (size_t i = 0; i < values.size(); ++i)
      axis.positions.push_back(static_cast<double>(i));
    return axis;
  }
  axis.positions = parsed;
  const auto [low, high] = std::minmax_element(parsed.begin(), parsed.end());
  if (*low > 0 && *high > *low) {
    // Sizes grow by factors; other numbers get a log axis once they span more than a decade.
    if (sizes) {
      axis.log_base = 2;
    } else if (*high > 10 * *low) {
      axis.log_base = 10;
    }
  }
  return axis;
}

// Cycles in the unit that keeps the largest below four digits or so: cycles, kcycles or Mcycles.
std::pair<double, std::string> cycle_unit(double largest) {
  if (largest >= 1e7) return {1e6, "Mcycles"};
  if (largest >= 1e4) return {1e3, "kcycles"};
  return {1, "cycles"};
}

// A gnuplot single-quoted string.
std::string gnuplot_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

std::string shell_quote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-./=:,+") == std::string::npos) {
    return word;
  }
  std::string quoted = "'";
  for (char c : word)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

SweepAxis parse_sweep_axis(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    throw ConfigError("--sweep '" + text +
                      "' is not KEY=V1,V2,... (for example --sweep "
                      "kernel.copy_engine=cpu,dma)");
  }
  SweepAxis axis;
  axis.key = text.substr(0, equals);
  std::stringstream values(text.substr(equals + 1));
  for (std::string value; std::getline(values, value, ',');) {
    if (value.empty()) throw ConfigError("--sweep '" + text + "' has an empty value");
    if (std::isspace(static_cast<unsigned char>(value.front())) != 0 ||
        std::isspace(static_cast<unsigned char>(value.back())) != 0) {
      throw ConfigError("--sweep '" + text + "': value '" + value +
                        "' has spaces around it (write V1,V2 without spaces)");
    }
    axis.values.push_back(value);
  }
  if (text.back() == ',') throw ConfigError("--sweep '" + text + "' has an empty value");
  return axis;
}

size_t sweep_points(const std::vector<SweepAxis>& axes) {
  size_t points = 1;
  for (const SweepAxis& axis : axes)
    points *= axis.values.size();
  return points;
}

std::vector<std::string> sweep_point(const std::vector<SweepAxis>& axes, size_t index) {
  std::vector<std::string> chosen(axes.size());
  for (size_t a = axes.size(); a-- > 0;) {
    chosen[a] = axes[a].values[index % axes[a].values.size()];
    index /= axes[a].values.size();
  }
  return chosen;
}

std::vector<std::vector<std::string>> prepare_sweep(const SweepPlan& plan) {
  std::error_code error;
  std::filesystem::create_directories(plan.out_directory, error);
  if (error || !std::filesystem::is_directory(plan.out_directory)) {
    throw ConfigError("--out " + plan.out_directory + ": cannot make it a directory" +
                      (error ? ": " + error.message() : " (a file of that name is there)"));
  }
  const size_t points = sweep_points(plan.axes);
  boost::json::array keys;
  for (const SweepAxis& axis : plan.axes)
    keys.push_back(boost::json::value(axis.key));
  boost::json::array manifest_points;
  std::vector<std::vector<std::string>> commands;
  for (size_t index = 0; index < points; ++index) {
    std::vector<std::string> command = {plan.executable, "run", plan.scenario};
    for (const std::string& assignment : plan.assignments) {
      command.insert(command.end(), {"-p", assignment});
    }
    boost::json::object values;
    const std::vector<std::string> chosen = sweep_point(plan.axes, index);
    for (size_t a = 0; a < plan.axes.size(); ++a) {
      command.insert(command.end(), {"-p", plan.axes[a].key + "=" + chosen[a]});
      values[plan.axes[a].key] = chosen[a];
    }
    command.insert(
        command.end(),
        {"--json", (std::filesystem::path(plan.out_directory) / point_file(index)).string()});
    manifest_points.push_back({{"index", index}, {"values", std::move(values)}});
    commands.push_back(std::move(command));
  }
  const boost::json::object manifest{{"scenario", plan.scenario},
                                     {"keys", std::move(keys)},
                                     {"points", std::move(manifest_points)}};
  const std::filesystem::path manifest_path =
      std::filesystem::path(plan.out_directory) / "sweep.json";
  std::ofstream manifest_file(manifest_path);
  manifest_file << boost::json::serialize(manifest) << "\n";
  if (!manifest_file) throw ConfigError(manifest_path.string() + ": cannot write it");
  return commands;
}

SweepOutcome run_sweep(const std::vector<std::vector<std::string>>& commands, size_t jobs) {
  const bool terminal = isatty(STDERR_FILENO) != 0;
  std::map<pid_t, size_t> running;
  size_t next = 0;
  size_t done = 0;
  size_t failed = 0;
  size_t expectations_failed = 0;
  while (done < commands.size()) {
    while (running.size() < jobs && next < commands.size()) {
      std::vector<char*> argv;
      for (const std::string& word : commands[next])
        argv.push_back(const_cast<char*>(word.c_str()));
      argv.push_back(nullptr);
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
      pid_t pid = 0;
      const int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&actions);
      if (error != 0) {
        ++failed;
        ++done;
      } else {
        running[pid] = next;
      }
      ++next;
    }
    if (running.empty()) continue;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) break;
    running.erase(pid);
    ++done;
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) ++failed;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1) ++expectations_failed;
    if (terminal) {
      std::cerr << "\rzxvp sweep: " << done << "/" << commands.size() << " points done"
                << (failed ? ", " + std::to_string(failed) + " failed" : "") << std::flush;
    }
  }
  if (terminal) std::cerr << "\n";
  return {failed, expectations_failed};
}

std::string merge_sweep(const std::string& out_directory) {
  const std::filesystem::path directory(out_directory);
  const boost::json::value manifest = read_json(directory / "sweep.json");
  std::vector<std::string> keys;
  for (const auto& key : manifest.at("keys").as_array()) {
    keys.emplace_back(key.as_string().c_str());
  }
  std::ofstream csv(directory / "results.csv");
  for (const std::string& key : keys)
    csv << csv_field(key) << ",";
  csv << "step,process,op,status,expected,ok,cycles";
  std::vector<std::string> categories;
  // Plot data: the cost of a call at each point, by first key, one series per value of the others.
  std::map<std::string, std::vector<std::pair<std::string, PointCost>>> series;
  std::vector<std::string> x_order;
  for (const auto& point : manifest.at("points").as_array()) {
    const size_t index = point.at("index").to_number<size_t>();
    const boost::json::value result = read_json(directory / point_file(index));
    const auto& values = point.at("values").as_object();
    std::vector<std::string> chosen;
    for (const std::string& key : keys)
      chosen.emplace_back(values.at(key).as_string().c_str());
    for (const auto& step : result.at("steps").as_array()) {
      const auto& breakdown = step.at("breakdown").as_object();
      if (categories.empty()) {
        for (const auto& [name, value] : breakdown) {
          categories.emplace_back(name);
          csv << "," << name;
        }
        csv << "\n";
      }
      for (const std::string& value : chosen)
        csv << csv_field(value) << ",";
      csv << step.at("index").to_number<uint64_t>() << ","
          << csv_field(step.at("process").as_string().c_str()) << ","
          << step.at("op").as_string().c_str() << "," << step.at("status").as_string().c_str()
          << "," << step.at("expected").as_string().c_str() << ","
          << (step.at("ok").as_bool() ? "true" : "false") << ","
          << step.at("cycles").to_number<uint64_t>();
      for (const std::string& category : categories) {
        csv << "," << breakdown.at(category).to_number<uint64_t>();
      }
      csv << "\n";
    }
    const std::string x = chosen.empty() ? "" : chosen[0];
    if (std::find(x_order.begin(), x_order.end(), x) == x_order.end()) x_order.push_back(x);
    std::string line;
    for (size_t k = 1; k < keys.size(); ++k)
      line += (k == 1 ? "" : ", ") + keys[k] + "=" + chosen[k];
    series[line].emplace_back(x, cost_of(result.at("steps").as_array()));
  }
  csv.close();

  // gnuplot draws the plot; the data go in plot.dat, one block per series.
  if (series.empty()) return "wrote " + (directory / "results.csv").string() + " (no points)";
  const XAxis x_axis = x_axis_of(x_order);
  const PointCost& first_point = series.begin()->second.front().second;
  double low = first_point.cycles;
  double high = first_point.cycles;
  for (const auto& [name, points] : series) {
    for (const auto& [x, cost] : points) {
      low = std::min(low, cost.cycles);
      high = std::max(high, cost.cycles);
    }
  }
  const auto [scale, unit] = cycle_unit(high);
  const bool log_y = low > 0 && high > 10 * low;
  std::ofstream data(directory / "plot.dat");
  data << std::setprecision(15) << "# " << (keys.empty() ? "point" : keys[0]) << ", " << unit
       << " per call, label\n";
  for (const auto& [name, points] : series) {
    data << "# " << (name.empty() ? "all points" : name) << "\n";
    for (const auto& [x, cost] : points) {
      const size_t position =
          static_cast<size_t>(std::find(x_order.begin(), x_order.end(), x) - x_order.begin());
      data << x_axis.positions[position] << " " << cost.cycles / scale << " \"" << x << "\"\n";
    }
    data << "\n\n";
  }
  data.close();
  const std::string x_label = keys.empty() ? "point" : keys[0];
  const std::string y_label =
      !first_point.only_call.empty()
          ? unit + " of the " + first_point.only_call + " call"
          : unit + (first_point.calls > 0
                        ? " per system call (mean of the " + std::to_string(first_point.calls) +
                              " calls of a point)"
                        : " per step (the scenario makes no system call)");
  const std::string title =
      std::filesystem::path(manifest.at("scenario").as_string().c_str()).filename().string();
  std::ostringstream script;
  script
      << "set title " << gnuplot_quote(title) << "\nset xlabel " << gnuplot_quote(x_label)
      << "\nset ylabel " << gnuplot_quote(y_label) << "\n"
      << (series.size() == 1 && series.begin()->first.empty()
              ? "set key off\n"
              : "set key inside top left Left reverse box opaque\n")
      << "set grid\nset format y '%g'\n"
      // Log axes end at the data, not at the next decade, with some room around the first
      // and last points; a linear y axis starts at zero.
      << "set autoscale xfix\n"
      << (log_y ? "set autoscale yfix\nset offsets graph 0.04, graph 0.04, graph 0.05, graph 0.05\n"
                : "set offsets graph 0.04, graph 0.04, graph 0.05, 0\n");
  if (x_axis.log_base != 0) script << "set logscale x " << x_axis.log_base << "\n";
  script << (log_y ? "set logscale y 10\n" : "set yrange [0:*]\n");
  std::string plot = "plot ";
  size_t block = 0;
  for (const auto& [name, points] : series) {
    plot += (block == 0 ? "" : ", ") + std::string("'plot.dat' index ") + std::to_string(block) +
            " using 1:2:xtic(3) with linespoints linewidth 2 pointtype 7 title " +
            gnuplot_quote(name);
    ++block;
  }
  script << "set terminal pngcairo size 900,560 noenhanced\nset output 'plot.png'\n"
         << plot << "\n"
         << "set terminal svg size 900,560 noenhanced\nset output 'plot.svg'\n"
         << plot << "\n";
  std::ofstream(directory / "plot.gp") << script.str();
  const std::string command =
      "cd " + shell_quote(directory.string()) + " && gnuplot plot.gp 2>/dev/null";
  const bool plotted = std::system(command.c_str()) == 0;
  return "wrote " + (directory / "results.csv").string() +
         (plotted ? " and plot.png, plot.svg"
                  : " (no plot: gnuplot is missing; plot.gp and plot.dat are there for it)");
}

}  // namespace zxvp
