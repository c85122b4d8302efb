#pragma once

#include <array>
#include <cstdint>

#include "sw/kernel/kernel.h"
#include "sw/kernel/process.h"

namespace zxvp {

// What a system call gives back to user mode: `value` goes to a0 (a status, or the ticks or time
// of the clock calls). A call to zx_process_exit does not return: `exited` is set, with the code.
struct SyscallResult {
  uint64_t value = 0;
  bool exited = false;
  int64_t return_code = 0;
  // The call's out-parameter (a handle, a size, a mapped address) when it went to the caller.
  uint64_t out = 0;
};

// Where a call's out-parameter goes. Guest code gets it as Zircon's ABI says: copied to the user
// address its argument holds, a copy that costs cycles and can fail. A caller with no user
// memory of its own for it (the scenario runner, host programs, a TLM initiator that asks) gets it
// back in SyscallResult::out, the argument unused, as a C++ caller of the kernel model does.
enum class OutParameters : uint8_t { user_memory, caller };

// The one entry of user mode into the kernel model: call `number` (zxvp's table,
// sw/api/zircon/syscall_numbers.h) with the eight argument registers a0-a7 of Zircon's riscv64
// convention, on behalf of `process`. Every pointer argument is an address in the process:
// buffers are read and written by the call itself, out-parameters are copied out before it
// returns (Kernel::copy_out_on_return), or handed back (`out_parameters`). 32-bit parameters take
// the low half of their register, as the C types of Zircon's syscall wrappers do. Every way into
// the kernel comes here: guest code's ecall, the scenario runner, host programs' zx_* calls,
// the TLM-2.0 socket.
SyscallResult dispatch_syscall(Kernel& kernel, Process& process, uint64_t number,
                               const std::array<uint64_t, 8>& arguments,
                               OutParameters out_parameters = OutParameters::user_memory);

}  // namespace zxvp
