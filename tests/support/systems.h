#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "platforms/platform_file.h"
#include "sw/kernel/kernel.h"
#include "sw/workloads/system.h"

namespace zxvp::testing {

// Several systems in one simulation, each with its own parameters, each running a body.
class Systems {
 public:
  void add(const std::vector<std::string>& overrides, std::function<void(Kernel&, Process&)> body) {
    ParameterSet parameters;
    System::declare_parameters(parameters);
    load_platform_file("default", parameters);
    for (const std::string& assignment : overrides)
      parameters.set_assignment(assignment, "test");
    const std::string name = "system" + std::to_string(systems_.size());
    systems_.push_back(std::make_unique<System>(parameters, name.c_str()));
    System& system = *systems_.back();
    system.kernel().cpu().start_thread(name + "_body", [&system, body = std::move(body), this] {
      Process* process = system.kernel().create_process("main");
      ASSERT_NE(process, nullptr);
      body(system.kernel(), *process);
      ++finished_;
    });
  }
  void run() {
    sc_core::sc_start();
    ASSERT_EQ(finished_, systems_.size());
  }
  System& system(size_t index) { return *systems_[index]; }

 private:
  std::vector<std::unique_ptr<System>> systems_;
  size_t finished_ = 0;
};

}  // namespace zxvp::testing
