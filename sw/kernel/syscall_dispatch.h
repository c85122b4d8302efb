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
};

// The one entry of user mode into the kernel model: call `number` (zxvp's table,
// sw/api/zircon/syscall_numbers.h) with the eight argument registers a0-a7 of Zircon's riscv64
// convention, on behalf of `process`. Every pointer argument is an address in the process:
// buffers are read and written by the call itself, out-parameters are copied out before it
// returns (Kernel::copy_out_on_return). 32-bit parameters take the low half of their register,
// as the C types of Zircon's syscall wrappers do. Guest code's ecall comes here; so will any
// other way into the kernel that passes raw registers.
SyscallResult dispatch_syscall(Kernel& kernel, Process& process, uint64_t number,
                               const std::array<uint64_t, 8>& arguments);

}  // namespace zxvp
