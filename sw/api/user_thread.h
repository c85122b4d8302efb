#pragma once

#include <functional>
#include <string>

#include "sw/kernel/kernel.h"

namespace zxvp {

// Runs `program` on the kernel's core as a thread of `process`: the zx_* calls and user loads
// and stores it makes go to `kernel` on behalf of `process`.
void start_user_thread(Kernel& kernel, Process& process, const std::string& name,
                       std::function<void()> program);

}  // namespace zxvp
