#pragma once

#include <array>
#include <cstdint>
#include <tlm>

#include "sw/api/zircon/types.h"
#include "sw/kernel/cycle_account.h"
#include "sw/kernel/syscall_dispatch.h"

namespace zxvp {

// One system call carried by a TLM-2.0 transaction to the kernel model's socket
// (SyscallTarget::syscalls), or the process a user load or store is made for
// (SyscallTarget::user_memory).
//
// A call is a TLM_WRITE_COMMAND of the call's eight argument registers: prepare() points the
// payload's data at `arguments` (64 bytes), so that a generic tool on the path sees what moves
// and a payload cannot say one thing in its data and another in its extension. The address is
// not used. b_transport returns with the call's time added to `delay`.
//
// The registers are those of Zircon's riscv64 ABI (sw/api/zircon/SYSCALLS.md): a buffer is a
// virtual address in the calling process, read or written through the platform's MMU, caches
// and memory as for guest code; 32-bit parameters take the low half of their register. An
// out-parameter (a new handle, a size, a mapped address) is written to the user address in its
// register, as for guest code, or, with `out_parameters` = OutParameters::caller, comes back in
// `out` and its register is not used (what the scenario runner does; no copy-out cycles).
class SyscallExtension : public tlm::tlm_extension<SyscallExtension> {
 public:
  // --- Set by the initiator ---
  // The calling process (SyscallTarget::create_process).
  zx_koid_t process = 0;
  // ZX_SYS_vmo_write and the others of zircon/syscall_numbers.h.
  uint64_t number = 0;
  // a0-a7.
  std::array<uint64_t, 8> arguments{};
  OutParameters out_parameters = OutParameters::user_memory;

  // --- Set by the kernel model when the transaction's response is TLM_OK_RESPONSE ---
  // a0 on return: the status (status()), or the value of zx_ticks_get and the clock calls.
  uint64_t value = 0;
  // The out-parameter, with OutParameters::caller.
  uint64_t out = 0;
  // zx_process_exit: the process is gone, with this code.
  bool exited = false;
  int64_t return_code = 0;
  // The call's cycles on the core, and where they went by phase (CyclePhase); the phases add up
  // to `cycles`.
  uint64_t cycles = 0;
  std::array<uint64_t, kCyclePhaseCount> breakdown{};

  zx_status_t status() const { return static_cast<zx_status_t>(static_cast<int64_t>(value)); }
  uint64_t phase_cycles(CyclePhase phase) const { return breakdown[static_cast<size_t>(phase)]; }

  // Makes `payload` this call: a write of `arguments`, its response incomplete. The extension is
  // set on the payload (not owned by it: a caller without a memory manager clears it before the
  // extension goes).
  void prepare(tlm::tlm_generic_payload& payload) {
    prepare(payload, tlm::TLM_WRITE_COMMAND, 0, reinterpret_cast<unsigned char*>(arguments.data()),
            sizeof arguments);
  }
  // Makes `payload` a load (TLM_READ_COMMAND) or a store (TLM_WRITE_COMMAND) of `process` at
  // virtual address `address`, for SyscallTarget::user_memory; set on the payload as above.
  void prepare_access(tlm::tlm_generic_payload& payload, tlm::tlm_command command, uint64_t address,
                      unsigned char* data, unsigned length_bytes) {
    prepare(payload, command, address, data, length_bytes);
  }

  tlm::tlm_extension_base* clone() const override { return new SyscallExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const SyscallExtension&>(other);
  }

 private:
  void prepare(tlm::tlm_generic_payload& payload, tlm::tlm_command command, uint64_t address,
               unsigned char* data, unsigned length_bytes) {
    payload.set_command(command);
    payload.set_address(address);
    payload.set_data_ptr(data);
    payload.set_data_length(length_bytes);
    payload.set_streaming_width(length_bytes);
    payload.set_byte_enable_ptr(nullptr);
    payload.set_byte_enable_length(0);
    payload.set_dmi_allowed(false);
    payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    payload.set_extension(this);
  }
};

}  // namespace zxvp
