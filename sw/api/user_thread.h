#pragma once

#include <functional>
#include <string>

#include "sw/api/zircon/process.h"
#include "sw/api/zircon/syscalls.h"
#include "sw/kernel/kernel.h"

namespace zxvp {

// Runs `program` on the kernel's core as a thread of `process`: the zx_* calls and user loads
// and stores it makes go to `kernel` on behalf of `process`. zx_process_exit() ends the program
// (and the process).
void start_user_thread(Kernel& kernel, Process& process, const std::string& name,
                       std::function<void()> program);

// What a host program's own loads and stores do: `address` is a virtual address of the calling
// process; a fault the kernel cannot serve comes back as its status (NOT_FOUND, ACCESS_DENIED,
// OUT_OF_RANGE, NO_MEMORY).
zx_status_t user_load(zx_vaddr_t address, void* data, size_t length);
zx_status_t user_store(zx_vaddr_t address, const void* data, size_t length);

}  // namespace zxvp
