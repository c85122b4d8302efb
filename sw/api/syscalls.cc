#include "sw/api/zircon/syscalls.h"

#include <array>
#include <stdexcept>
#include <systemc>
#include <unordered_map>

#include "sw/api/user_thread.h"
#include "sw/api/zircon/process.h"
#include "sw/api/zircon/syscall_numbers.h"
#include "sw/kernel/syscall_dispatch.h"

namespace zxvp {
namespace {

struct Caller {
  Kernel* kernel;
  Process* process;
};

// Which simulated thread belongs to which process (SystemC runs every thread on one host thread).
std::unordered_map<const sc_core::sc_object*, Caller>& callers() {
  static std::unordered_map<const sc_core::sc_object*, Caller> map;
  return map;
}

Caller& current() {
  const auto it = callers().find(sc_core::sc_get_current_process_handle().get_process_object());
  if (it == callers().end()) {
    throw std::logic_error("a zx_* call from a thread that start_user_thread did not start");
  }
  return it->second;
}

uint64_t address_of(const void* buffer) {
  return reinterpret_cast<uint64_t>(buffer);
}

// Thrown by zx_process_exit through the program, caught where the thread started it.
struct ProcessExit {};

}  // namespace

void start_user_thread(Kernel& kernel, Process& process, const std::string& name,
                       std::function<void()> program) {
  kernel.cpu().start_thread(name, [&kernel, &process, program = std::move(program)] {
    const sc_core::sc_object* self = sc_core::sc_get_current_process_handle().get_process_object();
    callers()[self] = Caller{&kernel, &process};
    try {
      program();
    } catch (const ProcessExit&) {
      kernel.destroy_process(process);
    }
    callers().erase(self);
  });
}

zx_status_t user_load(zx_vaddr_t address, void* data, size_t length) {
  Caller& caller = current();
  return caller.kernel->user_load(*caller.process, address, data, length);
}

zx_status_t user_store(zx_vaddr_t address, const void* data, size_t length) {
  Caller& caller = current();
  return caller.kernel->user_store(*caller.process, address, data, length);
}

}  // namespace zxvp

using zxvp::address_of;
using zxvp::current;
using zxvp::ProcessExit;

namespace {

// A call of the calling thread's process through the one dispatch of every way into the kernel;
// out-parameters come back here (a host program's are host variables, not user memory).
zxvp::SyscallResult call(uint64_t number, const std::array<uint64_t, 8>& arguments) {
  auto& caller = current();
  return zxvp::dispatch_syscall(*caller.kernel, *caller.process, number, arguments,
                                zxvp::OutParameters::caller);
}

zx_status_t status_of(const zxvp::SyscallResult& result) {
  return static_cast<zx_status_t>(static_cast<int64_t>(result.value));
}

// A call with an out-parameter, written only when the call succeeds, as Zircon's wrappers do.
template <typename Out>
zx_status_t call_out(uint64_t number, const std::array<uint64_t, 8>& arguments, Out* out) {
  const zxvp::SyscallResult result = call(number, arguments);
  const zx_status_t status = status_of(result);
  if (status == ZX_OK) *out = static_cast<Out>(result.out);
  return status;
}

}  // namespace

zx_handle_t zx_vmar_root_self() {
  return current().process->root_vmar_handle();
}

zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out) {
  return call_out(ZX_SYS_vmo_create, {size, options}, out);
}

zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size) {
  return status_of(call(ZX_SYS_vmo_read, {handle, address_of(buffer), offset, buffer_size}));
}

zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                         size_t buffer_size) {
  return status_of(call(ZX_SYS_vmo_write, {handle, address_of(buffer), offset, buffer_size}));
}

zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size) {
  return call_out(ZX_SYS_vmo_get_size, {handle}, size);
}

zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size) {
  return status_of(call(ZX_SYS_vmo_set_size, {handle, size}));
}

zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy) {
  return status_of(call(ZX_SYS_vmo_set_cache_policy, {handle, cache_policy}));
}

zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size,
                            void* buffer, size_t buffer_size) {
  return status_of(
      call(ZX_SYS_vmo_op_range, {handle, op, offset, size, address_of(buffer), buffer_size}));
}

zx_status_t zx_vmo_create_child(zx_handle_t handle, uint32_t options, uint64_t offset,
                                uint64_t size, zx_handle_t* out) {
  return call_out(ZX_SYS_vmo_create_child, {handle, options, offset, size}, out);
}

zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out) {
  return call_out(ZX_SYS_handle_duplicate, {handle, rights}, out);
}

zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out) {
  return call_out(ZX_SYS_handle_replace, {handle, rights}, out);
}

zx_status_t zx_handle_close(zx_handle_t handle) {
  return status_of(call(ZX_SYS_handle_close, {handle}));
}

zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, uint64_t vmar_offset,
                        zx_handle_t vmo, uint64_t vmo_offset, uint64_t len,
                        zx_vaddr_t* mapped_addr) {
  return call_out(ZX_SYS_vmar_map, {handle, options, vmar_offset, vmo, vmo_offset, len},
                  mapped_addr);
}

zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, uint64_t len) {
  return status_of(call(ZX_SYS_vmar_unmap, {handle, addr, len}));
}

zx_status_t zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr,
                            uint64_t len) {
  return status_of(call(ZX_SYS_vmar_protect, {handle, options, addr, len}));
}

zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex, zx_handle_t* out) {
  return call_out(ZX_SYS_vmo_replace_as_executable, {handle, vmex}, out);
}

void zx_process_exit(int64_t retcode) {
  call(ZX_SYS_process_exit, {static_cast<uint64_t>(retcode)});
  throw ProcessExit{};
}

zx_status_t zx_debug_write(const char* buffer, size_t buffer_size) {
  return status_of(call(ZX_SYS_debug_write, {address_of(buffer), buffer_size}));
}

zx_ticks_t zx_ticks_get() {
  return static_cast<zx_ticks_t>(call(ZX_SYS_ticks_get, {}).value);
}

zx_ticks_t zx_ticks_per_second() {
  return static_cast<zx_ticks_t>(call(ZX_SYS_ticks_per_second, {}).value);
}

zx_time_t zx_clock_get_monotonic() {
  return static_cast<zx_time_t>(call(ZX_SYS_clock_get_monotonic, {}).value);
}
