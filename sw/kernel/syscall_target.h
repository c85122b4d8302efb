#pragma once

#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "sw/api/zircon/types.h"
#include "sw/kernel/kernel.h"
#include "sw/kernel/syscall_extension.h"

namespace zxvp {

// The kernel model's system-call interface in TLM-2.0, for initiators of a platform that is not
// zxvp's own: a call is a transaction carrying a SyscallExtension (see there), served by the one
// dispatch that guest code's ecall and the scenario runner take, on the kernel's core. Loosely
// timed: b_transport runs the call from the caller's time (SystemC time plus `delay`), or from
// when the core is free if it is busy, and returns with `delay` moved to the call's end; the
// caller does not wait for it (its quantum keeper decides).
//
// `user_memory` serves the process's own loads and stores (reads and writes at its virtual
// addresses, TLM_OK_RESPONSE or TLM_ADDRESS_ERROR_RESPONSE on a fault the kernel cannot serve),
// timed as user-mode accesses through the MMU and caches: how an initiator fills a buffer before
// zx_vmo_write and reads one after zx_vmo_read. Its transactions carry a SyscallExtension too,
// of which `process` is read; `value` (the status), `cycles` and `breakdown` come back.
//
// Refused with TLM_GENERIC_ERROR_RESPONSE, the extension untouched and no time spent: a
// transaction without the extension, a call that is not a write, or whose data is not the
// extension's argument registers (prepare()); byte enables get TLM_BYTE_ENABLE_ERROR_RESPONSE
// and streaming TLM_BURST_ERROR_RESPONSE. A call for a process that does not exist (or exited)
// is answered ZX_ERR_BAD_HANDLE without running (a load or store for one gets
// TLM_GENERIC_ERROR_RESPONSE with that status); an unknown call number ZX_ERR_BAD_SYSCALL, after
// the cost of a trap, as Zircon does. Neither socket grants DMI or debug access.
class SyscallTarget : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<SyscallTarget> syscalls;
  tlm_utils::simple_target_socket<SyscallTarget> user_memory;

  SyscallTarget(const sc_core::sc_module_name& name, Kernel& kernel);

  // A new process with an empty address space, made on the kernel's core from an SC_THREAD,
  // with `delay` as in b_transport. Returns its koid for SyscallExtension::process; 0 when
  // physical memory is exhausted.
  zx_koid_t create_process(const std::string& name, sc_core::sc_time& delay);
  // The handle of a live process's root VMAR (ZX_HANDLE_INVALID for none), as guest code's
  // zx_vmar_root_self() gives it: the first argument of zx_vmar_map.
  zx_handle_t root_vmar(zx_koid_t process);

 private:
  void call(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  void access(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  // Runs `work` on the kernel's core from `delay` after SystemC's time; `delay` becomes its end.
  void on_core(sc_core::sc_time& delay, const std::function<void()>& work);

  Kernel& kernel_;
};

}  // namespace zxvp
