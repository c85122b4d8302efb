// The calls a guest program needs besides the VMO, VMAR and handle ones: its exit, its console
// and its clock (after Zircon's syscalls/debug.cc, object.cc and timer.cc).
#include <algorithm>
#include <array>

#include "sim/log/logger.h"
#include "sw/kernel/kernel.h"

namespace zxvp {

void Kernel::process_exit(Process& process, int64_t return_code) {
  begin_syscall("process_exit", process);
  ZXVP_LOG_AT(LogLevel::debug, "kernel", cpu_.local_time())
      << "process '" << process.name() << "' exits with " << return_code;
  console_.finish(process.name());
  record(account_.finish(ZX_OK));
}

zx_status_t Kernel::debug_write(Process& process, uint64_t buffer, uint64_t buffer_size) {
  begin_syscall("debug_write", process);
  return end_syscall([&]() -> zx_status_t {
    // Zircon writes at most kMaxDebugWriteSize bytes a call and says ZX_OK.
    constexpr uint64_t kMaxDebugWriteSize = 256;
    std::array<char, kMaxDebugWriteSize> bytes{};
    const uint64_t length = std::min(buffer_size, kMaxDebugWriteSize);
    if (const zx_status_t status = copy_in(process, buffer, bytes.data(), length);
        status != ZX_OK) {
      return status;
    }
    console_.write(process.name(), std::string_view(bytes.data(), length));
    return ZX_OK;
  }());
}

// SystemC's resolution is 1 ps (see Clock): a time's value() is picoseconds.
zx_ticks_t Kernel::ticks_get(Process& process) {
  begin_syscall("ticks_get", process);
  const auto ticks = static_cast<zx_ticks_t>(cpu_.local_time().value() / 1000);
  end_syscall(ZX_OK);
  return ticks;
}

zx_ticks_t Kernel::ticks_per_second(Process& process) {
  begin_syscall("ticks_per_second", process);
  end_syscall(ZX_OK);
  return kTicksPerSecond;
}

zx_time_t Kernel::clock_get_monotonic(Process& process) {
  begin_syscall("clock_get_monotonic", process);
  const auto now = static_cast<zx_time_t>(cpu_.local_time().value() / 1000);
  end_syscall(ZX_OK);
  return now;
}

zx_status_t Kernel::bad_syscall(Process& process, uint64_t number) {
  begin_syscall("bad_syscall", process);
  ZXVP_LOG_AT(LogLevel::debug, "kernel", cpu_.local_time())
      << "process '" << process.name() << "' made unknown system call " << number;
  return end_syscall(ZX_ERR_BAD_SYSCALL);
}

}  // namespace zxvp
