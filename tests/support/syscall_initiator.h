#pragma once

#include <array>
#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

#include "sw/kernel/syscall_extension.h"
#include "sw/kernel/syscall_target.h"

namespace zxvp::testing {

// A loosely timed initiator of the kernel model's sockets, for tests: it keeps its own local time
// offset, as a quantum keeper would, and calls on behalf of one process.
class SyscallInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<SyscallInitiator> syscalls{"syscalls"};
  tlm_utils::simple_initiator_socket<SyscallInitiator> user_memory{"user_memory"};

  SyscallInitiator(const sc_core::sc_module_name& name, SyscallTarget& target)
      : sc_module(name), target_(target) {
    syscalls.bind(target.syscalls);
    user_memory.bind(target.user_memory);
  }

  void create_process(const std::string& name) { process_ = target_.create_process(name, delay); }
  zx_koid_t process() const { return process_; }
  void use_process(zx_koid_t process) { process_ = process; }
  zx_handle_t root_vmar() { return target_.root_vmar(process_); }

  // One call through the socket; the extension holds what came back.
  SyscallExtension call(uint64_t number, const std::array<uint64_t, 8>& arguments,
                        OutParameters out = OutParameters::caller) {
    SyscallExtension extension;
    extension.process = process_;
    extension.number = number;
    extension.arguments = arguments;
    extension.out_parameters = out;
    tlm::tlm_generic_payload payload;
    extension.prepare(payload);
    syscalls->b_transport(payload, delay);
    response = payload.get_response_status();
    payload.clear_extension(&extension);
    return extension;
  }
  // A user load or store of the process through `user_memory`.
  SyscallExtension access(tlm::tlm_command command, uint64_t address, std::vector<uint8_t>& bytes) {
    SyscallExtension extension;
    extension.process = process_;
    tlm::tlm_generic_payload payload;
    extension.prepare_access(payload, command, address, bytes.data(),
                             static_cast<unsigned>(bytes.size()));
    user_memory->b_transport(payload, delay);
    response = payload.get_response_status();
    payload.clear_extension(&extension);
    return extension;
  }

  // The initiator's time offset from SystemC's time, moved by every transaction.
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  tlm::tlm_response_status response = tlm::TLM_INCOMPLETE_RESPONSE;

 private:
  SyscallTarget& target_;
  zx_koid_t process_ = 0;
};

}  // namespace zxvp::testing
