#include "sw/kernel/syscall_target.h"

#include "sim/time/batch_timing.h"

namespace zxvp {

SyscallTarget::SyscallTarget(const sc_core::sc_module_name& name, Kernel& kernel)
    : sc_module(name), syscalls("syscalls"), user_memory("user_memory"), kernel_(kernel) {
  syscalls.register_b_transport(this, &SyscallTarget::call);
  user_memory.register_b_transport(this, &SyscallTarget::access);
}

void SyscallTarget::on_core(sc_core::sc_time& delay, const std::function<void()>& work) {
  const Ticks end = kernel_.cpu().run_for_caller(to_ticks(sc_core::sc_time_stamp() + delay), work);
  // The core may have synchronised during the work, moving SystemC's time.
  delay = to_time(end) - sc_core::sc_time_stamp();
}

zx_koid_t SyscallTarget::create_process(const std::string& name, sc_core::sc_time& delay) {
  zx_koid_t koid = 0;
  on_core(delay, [&] {
    if (const Process* process = kernel_.create_process(name)) koid = process->koid();
  });
  return koid;
}

zx_handle_t SyscallTarget::root_vmar(zx_koid_t process) {
  const Process* found = kernel_.find_process(process);
  return found == nullptr ? ZX_HANDLE_INVALID : found->root_vmar_handle();
}

namespace {

// Refusals common to both sockets; TLM_INCOMPLETE_RESPONSE when the transaction may be served.
tlm::tlm_response_status refusal(const tlm::tlm_generic_payload& payload) {
  if (payload.get_byte_enable_ptr() != nullptr) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (payload.get_streaming_width() < payload.get_data_length()) {
    return tlm::TLM_BURST_ERROR_RESPONSE;
  }
  if (payload.get_extension<SyscallExtension>() == nullptr) return tlm::TLM_GENERIC_ERROR_RESPONSE;
  return tlm::TLM_INCOMPLETE_RESPONSE;
}

uint64_t status_register(zx_status_t status) {
  return static_cast<uint64_t>(static_cast<int64_t>(status));
}

// What comes back in the extension: a0, and the cycles of `record` (none when nothing ran).
void answer(SyscallExtension& call, uint64_t value, const CallRecord* record) {
  call.value = value;
  call.out = 0;
  call.exited = false;
  call.return_code = 0;
  call.cycles = record == nullptr ? 0 : record->cycles;
  call.breakdown = record == nullptr ? decltype(call.breakdown){} : record->breakdown;
}

}  // namespace

void SyscallTarget::call(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  tlm::tlm_response_status refused = refusal(payload);
  auto* call = payload.get_extension<SyscallExtension>();
  if (refused == tlm::TLM_INCOMPLETE_RESPONSE) {
    const bool argument_registers =
        payload.get_data_ptr() == reinterpret_cast<unsigned char*>(call->arguments.data()) &&
        payload.get_data_length() == sizeof call->arguments;
    if (!payload.is_write() || !argument_registers) refused = tlm::TLM_GENERIC_ERROR_RESPONSE;
  }
  if (refused != tlm::TLM_INCOMPLETE_RESPONSE) {
    payload.set_response_status(refused);
    return;
  }
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
  Process* process = kernel_.find_process(call->process);
  if (process == nullptr) {
    answer(*call, status_register(ZX_ERR_BAD_HANDLE), nullptr);
    return;
  }
  on_core(delay, [&] {
    const SyscallResult result =
        dispatch_syscall(kernel_, *process, call->number, call->arguments, call->out_parameters);
    answer(*call, result.value, &kernel_.last_record());
    call->out = result.out;
    call->exited = result.exited;
    call->return_code = result.return_code;
    // zxvp's processes have one thread: the process ends with it.
    if (result.exited) kernel_.destroy_process(*process);
  });
}

void SyscallTarget::access(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  const tlm::tlm_response_status refused = refusal(payload);
  if (refused != tlm::TLM_INCOMPLETE_RESPONSE) {
    payload.set_response_status(refused);
    return;
  }
  if (!payload.is_read() && !payload.is_write()) {
    payload.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  auto& caller = *payload.get_extension<SyscallExtension>();
  Process* process = kernel_.find_process(caller.process);
  if (process == nullptr) {
    answer(caller, status_register(ZX_ERR_BAD_HANDLE), nullptr);
    payload.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  zx_status_t status = ZX_OK;
  on_core(delay, [&] {
    status = payload.is_read()
                 ? kernel_.user_load(*process, payload.get_address(), payload.get_data_ptr(),
                                     payload.get_data_length())
                 : kernel_.user_store(*process, payload.get_address(), payload.get_data_ptr(),
                                      payload.get_data_length());
    answer(caller, status_register(status), &kernel_.last_record());
  });
  payload.set_response_status(status == ZX_OK ? tlm::TLM_OK_RESPONSE
                                              : tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

}  // namespace zxvp
