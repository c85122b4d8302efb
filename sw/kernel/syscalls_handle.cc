// Handle system calls (zircon-vmo.md section 3.8, after handle_ops.cc).
#include "sw/kernel/kernel.h"

namespace zxvp {

namespace {

enum class HandleOp { duplicate, replace };

zx_status_t duplicate_or_replace(Process& process, zx_handle_t value, zx_rights_t rights,
                                 HandleOp op, zx_handle_t* out) {
  Handle* source = process.handles().find(value);
  if (source == nullptr) return ZX_ERR_BAD_HANDLE;
  if (op == HandleOp::duplicate && (source->rights & ZX_RIGHT_DUPLICATE) == 0) {
    return ZX_ERR_ACCESS_DENIED;
  }
  const Handle copy = *source;
  zx_rights_t new_rights = copy.rights;
  if (rights != ZX_RIGHT_SAME_RIGHTS) {
    if ((rights & ~copy.rights) != 0) {
      // replace closes the source even when it refuses the rights.
      if (op == HandleOp::replace) process.handles().remove(value);
      return ZX_ERR_INVALID_ARGS;
    }
    new_rights = rights;
  }
  if (op == HandleOp::replace) process.handles().remove(value);
  *out = process.handles().add(copy.object, new_rights);
  return ZX_OK;
}

}  // namespace

zx_status_t Kernel::handle_duplicate(Process& process, zx_handle_t handle, zx_rights_t rights,
                                     zx_handle_t* out) {
  begin_syscall("handle_duplicate", process);
  return end_syscall([&]() -> zx_status_t {
    cpu_.compute(config_.handle_lookup_cycles);
    return duplicate_or_replace(process, handle, rights, HandleOp::duplicate, out);
  }());
}

zx_status_t Kernel::handle_replace(Process& process, zx_handle_t handle, zx_rights_t rights,
                                   zx_handle_t* out) {
  begin_syscall("handle_replace", process);
  return end_syscall([&]() -> zx_status_t {
    cpu_.compute(config_.handle_lookup_cycles);
    return duplicate_or_replace(process, handle, rights, HandleOp::replace, out);
  }());
}

zx_status_t Kernel::handle_close(Process& process, zx_handle_t handle) {
  begin_syscall("handle_close", process);
  return end_syscall([&]() -> zx_status_t {
    if (handle == ZX_HANDLE_INVALID) return ZX_OK;
    cpu_.compute(config_.handle_lookup_cycles);
    // The last reference to a VMO frees its pages; that is mapping work (unmapping included).
    CycleAccount::Scope phase(account_, CyclePhase::map);
    return process.handles().remove(handle) ? ZX_OK : ZX_ERR_BAD_HANDLE;
  }());
}

}  // namespace zxvp
