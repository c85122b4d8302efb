#include "sw/api/zircon/syscalls.h"

#include <stdexcept>
#include <systemc>
#include <unordered_map>

#include "sw/api/user_thread.h"
#include "sw/api/zircon/process.h"

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

zx_handle_t zx_vmar_root_self() {
  return current().process->root_vmar_handle();
}

zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out) {
  auto& caller = current();
  return caller.kernel->vmo_create(*caller.process, size, options, out);
}

zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size) {
  auto& caller = current();
  return caller.kernel->vmo_read(*caller.process, handle, address_of(buffer), offset, buffer_size);
}

zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                         size_t buffer_size) {
  auto& caller = current();
  return caller.kernel->vmo_write(*caller.process, handle, address_of(buffer), offset, buffer_size);
}

zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size) {
  auto& caller = current();
  return caller.kernel->vmo_get_size(*caller.process, handle, size);
}

zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size) {
  auto& caller = current();
  return caller.kernel->vmo_set_size(*caller.process, handle, size);
}

zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy) {
  auto& caller = current();
  return caller.kernel->vmo_set_cache_policy(*caller.process, handle, cache_policy);
}

zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size,
                            void* /*buffer*/, size_t buffer_size) {
  auto& caller = current();
  return caller.kernel->vmo_op_range(*caller.process, handle, op, offset, size, buffer_size);
}

zx_status_t zx_vmo_create_child(zx_handle_t handle, uint32_t options, uint64_t offset,
                                uint64_t size, zx_handle_t* out) {
  auto& caller = current();
  return caller.kernel->vmo_create_child(*caller.process, handle, options, offset, size, out);
}

zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out) {
  auto& caller = current();
  return caller.kernel->handle_duplicate(*caller.process, handle, rights, out);
}

zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out) {
  auto& caller = current();
  return caller.kernel->handle_replace(*caller.process, handle, rights, out);
}

zx_status_t zx_handle_close(zx_handle_t handle) {
  auto& caller = current();
  return caller.kernel->handle_close(*caller.process, handle);
}

zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, uint64_t vmar_offset,
                        zx_handle_t vmo, uint64_t vmo_offset, uint64_t len,
                        zx_vaddr_t* mapped_addr) {
  auto& caller = current();
  return caller.kernel->vmar_map(*caller.process, handle, options, vmar_offset, vmo, vmo_offset,
                                 len, mapped_addr);
}

zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, uint64_t len) {
  auto& caller = current();
  return caller.kernel->vmar_unmap(*caller.process, handle, addr, len);
}

zx_status_t zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr,
                            uint64_t len) {
  auto& caller = current();
  return caller.kernel->vmar_protect(*caller.process, handle, options, addr, len);
}

zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex, zx_handle_t* out) {
  auto& caller = current();
  return caller.kernel->vmo_replace_as_executable(*caller.process, handle, vmex, out);
}

void zx_process_exit(int64_t retcode) {
  auto& caller = current();
  caller.kernel->process_exit(*caller.process, retcode);
  throw ProcessExit{};
}

zx_status_t zx_debug_write(const char* buffer, size_t buffer_size) {
  auto& caller = current();
  return caller.kernel->debug_write(*caller.process, address_of(buffer), buffer_size);
}

zx_ticks_t zx_ticks_get() {
  auto& caller = current();
  return caller.kernel->ticks_get(*caller.process);
}

zx_ticks_t zx_ticks_per_second() {
  auto& caller = current();
  return caller.kernel->ticks_per_second(*caller.process);
}

zx_time_t zx_clock_get_monotonic() {
  auto& caller = current();
  return caller.kernel->clock_get_monotonic(*caller.process);
}
