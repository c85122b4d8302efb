#pragma once

#include <functional>
#include <string>

#include "platforms/default_platform.h"
#include "sim/params/parameter_set.h"
#include "sw/kernel/kernel.h"
#include "sw/kernel/program_runner.h"

namespace zxvp {

// The default platform with the kernel model running on its core, and the runner of guest
// programs on its hart: what `zxvp run` simulates.
class System {
 public:
  // Every key of the platform, of the kernel (`kernel.*`) and of guest programs (`guest.*`).
  static void declare_parameters(ParameterSet& parameters);

  // `name` names the platform module (several systems can share one simulation).
  explicit System(const ParameterSet& parameters, const char* name = "platform");

  DefaultPlatform& platform() { return platform_; }
  Kernel& kernel() { return kernel_; }
  ProgramRunner& programs() { return programs_; }
  StatisticsRegistry& statistics() { return platform_.statistics(); }

  // `program` runs on cpu0 as a thread of `process`; its zx_* calls go to the kernel.
  void start_user_thread(Process& process, const std::string& name, std::function<void()> program);

 private:
  DefaultPlatform platform_;
  Kernel kernel_;
  ProgramRunner programs_;
};

}  // namespace zxvp
