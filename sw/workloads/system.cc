#include "sw/workloads/system.h"

#include "sw/api/user_thread.h"

namespace zxvp {

void System::declare_parameters(ParameterSet& parameters) {
  DefaultPlatform::declare_parameters(parameters);
  declare_config<KernelConfig>(parameters, "kernel");
  declare_config<ProgramConfig>(parameters, "guest");
}

System::System(const ParameterSet& parameters, const char* name)
    : platform_(name, parameters),
      kernel_(platform_.cpu, load_config<KernelConfig>(parameters, "kernel"),
              platform_.address_map().memory_base, platform_.memory.size_bytes(),
              DmaDevice{platform_.address_map().dma_base, 0}, platform_.statistics()),
      programs_(kernel_, platform_.hart, load_config<ProgramConfig>(parameters, "guest")) {}

void System::start_user_thread(Process& process, const std::string& name,
                               std::function<void()> program) {
  zxvp::start_user_thread(kernel_, process, name, std::move(program));
}

}  // namespace zxvp
