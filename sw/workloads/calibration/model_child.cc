#include "sw/workloads/calibration/model_child.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "sim/params/config_error.h"

extern char** environ;

namespace zxvp {

namespace {

boost::json::value request_json(const std::vector<ModelMachine>& machines) {
  boost::json::array list;
  for (const ModelMachine& machine : machines) {
    boost::json::array params;
    for (const auto& [key, value] : machine.params)
      params.push_back(boost::json::array{boost::json::string(key), boost::json::string(value)});
    boost::json::array workloads;
    for (const ModelWorkload& workload : machine.workloads) {
      workloads.push_back({{"kind", model_workload_name(workload.kind)},
                           {"bytes", workload.bytes},
                           {"count", workload.count}});
    }
    list.push_back({{"platform", machine.platform},
                    {"params", std::move(params)},
                    {"workloads", std::move(workloads)}});
  }
  return boost::json::object{{"machines", std::move(list)}};
}

std::vector<ModelMachine> machines_from(const boost::json::value& request) {
  std::vector<ModelMachine> machines;
  for (const auto& entry : request.at("machines").as_array()) {
    ModelMachine machine;
    machine.platform = entry.at("platform").as_string().c_str();
    for (const auto& param : entry.at("params").as_array()) {
      machine.params.emplace_back(param.as_array().at(0).as_string().c_str(),
                                  param.as_array().at(1).as_string().c_str());
    }
    for (const auto& item : entry.at("workloads").as_array()) {
      const auto kind = parse_model_workload(item.at("kind").as_string().c_str());
      if (!kind)
        throw ConfigError("unknown workload '" + std::string(item.at("kind").as_string()) + "'");
      machine.workloads.push_back(
          {*kind, item.at("bytes").to_number<uint64_t>(), item.at("count").to_number<uint64_t>()});
    }
    machines.push_back(std::move(machine));
  }
  return machines;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

std::vector<std::vector<ModelResult>> run_in_child(const std::string& executable,
                                                   const std::vector<ModelMachine>& machines) {
  static std::atomic<int> sequence{0};
  const std::filesystem::path base =
      std::filesystem::temp_directory_path() /
      ("zxvp_calibrate_" + std::to_string(getpid()) + "_" + std::to_string(sequence++));
  const std::string request = base.string() + "_request.json";
  const std::string result = base.string() + "_result.json";
  const std::string errors = base.string() + "_stderr.txt";
  std::ofstream(request) << boost::json::serialize(request_json(machines)) << "\n";

  std::vector<std::string> words = {executable, "calibrate", "--simulate",
                                    request,    "--result",  result};
  std::vector<char*> argv;
  for (std::string& word : words)
    argv.push_back(word.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errors.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t child = 0;
  const int error = posix_spawn(&child, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (error == 0) waitpid(child, &status, 0);
  const std::string said = read_text(errors);
  const std::string text = read_text(result);
  for (const std::string& path : {request, result, errors})
    std::filesystem::remove(path);
  if (error != 0) {
    throw std::runtime_error("cannot start " + executable + ": " + std::strerror(error));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("the simulation of the calibration's machines failed: " + said);
  }
  std::vector<std::vector<ModelResult>> results;
  const boost::json::value json = boost::json::parse(text);
  for (const auto& machine : json.at("machines").as_array()) {
    std::vector<ModelResult> list;
    for (const auto& item : machine.as_array()) {
      list.push_back({item.at("ns").to_number<double>(), item.at("warm_ns").to_number<double>()});
    }
    results.push_back(std::move(list));
  }
  return results;
}

int run_simulate_request(const std::string& request_path, const std::string& result_path) {
  try {
    const std::vector<ModelMachine> machines =
        machines_from(boost::json::parse(read_text(request_path)));
    boost::json::array list;
    for (const auto& machine : run_model_machines(machines)) {
      boost::json::array results;
      for (const ModelResult& result : machine)
        results.push_back({{"ns", result.ns}, {"warm_ns", result.warm_ns}});
      list.push_back(std::move(results));
    }
    std::ofstream out(result_path);
    out << boost::json::serialize(boost::json::object{{"machines", std::move(list)}}) << "\n";
    if (!out) {
      std::cerr << "zxvp calibrate: cannot write " << result_path << "\n";
      return 2;
    }
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "zxvp calibrate --simulate: " << error.what() << "\n";
    return 2;
  }
}

}  // namespace zxvp
