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
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "sim/params/config_error.h"

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
    axis.values.push_back(value);
  }
  return axis;
}

std::vector<std::vector<std::string>> prepare_sweep(const SweepPlan& plan) {
  std::filesystem::create_directories(plan.out_directory);
  size_t points = 1;
  for (const SweepAxis& axis : plan.axes)
    points *= axis.values.size();
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
    size_t rest = index;
    // The last axis varies fastest.
    std::vector<std::string> chosen(plan.axes.size());
    for (size_t a = plan.axes.size(); a-- > 0;) {
      chosen[a] = plan.axes[a].values[rest % plan.axes[a].values.size()];
      rest /= plan.axes[a].values.size();
    }
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
  std::ofstream(std::filesystem::path(plan.out_directory) / "sweep.json")
      << boost::json::serialize(manifest) << "\n";
  return commands;
}

size_t run_sweep(const std::vector<std::vector<std::string>>& commands, size_t jobs) {
  const bool terminal = isatty(STDERR_FILENO) != 0;
  std::map<pid_t, size_t> running;
  size_t next = 0;
  size_t done = 0;
  size_t failed = 0;
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
    if (terminal) {
      std::cerr << "\rzxvp sweep: " << done << "/" << commands.size() << " points done"
                << (failed ? ", " + std::to_string(failed) + " failed" : "") << std::flush;
    }
  }
  if (terminal) std::cerr << "\n";
  return failed;
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
  // Plot data: total cycles of each point, by first key, one series per second-key value.
  std::map<std::string, std::vector<std::pair<std::string, uint64_t>>> series;
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
    const std::string line = keys.size() > 1 ? keys[1] + "=" + chosen[1] : "cycles";
    series[line].emplace_back(x, result.at("summary").at("cycles").to_number<uint64_t>());
  }
  csv.close();

  // gnuplot draws the plot; the data go in plot.dat, one block per series.
  bool all_numeric = true;
  for (const std::string& x : x_order)
    all_numeric = all_numeric && numeric(x);
  std::ofstream data(directory / "plot.dat");
  for (const auto& [name, points] : series) {
    data << "# " << name << "\n";
    for (const auto& [x, cycles] : points) {
      const size_t position =
          static_cast<size_t>(std::find(x_order.begin(), x_order.end(), x) - x_order.begin());
      data << (all_numeric ? x : std::to_string(position)) << " " << cycles << " "
           << (all_numeric ? "" : x) << "\n";
    }
    data << "\n\n";
  }
  data.close();
  const std::string x_label = keys.empty() ? "point" : keys[0];
  std::ostringstream script;
  script << "set xlabel '" << x_label << "'\nset ylabel 'scenario cycles'\nset key outside\n"
         << "set grid\n";
  if (all_numeric && x_order.size() > 2) script << "set logscale x 2\n";
  std::string plot = "plot ";
  size_t block = 0;
  for (const auto& [name, points] : series) {
    plot += (block == 0 ? "" : ", ") + std::string("'plot.dat' index ") + std::to_string(block) +
            (all_numeric ? " using 1:2" : " using 1:2:xtic(3)") + " with linespoints title '" +
            name + "'";
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
