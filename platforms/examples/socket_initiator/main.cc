// A platform of one's own around zxvp's components: the default assembly's hardware (core, MMU,
// caches, bus, memory, DMA engine), zxvp's kernel model on its core, the kernel's system-call
// socket, and an initiator of this platform's own that runs a small program through the socket,
// with a quantum keeper as any loosely timed initiator: it makes a process, creates a VMO, maps
// a buffer, fills it, writes it into the VMO with zx_vmo_write, reads it back, and meets the
// uncached rejection. It prints every call's status and cycle estimate; exit status 0 when every
// status was the one expected.
//
//   socket_initiator [KEY=VALUE...]      parameters as zxvp's -p (zxvp params lists them)
#include <zxvp/zxvp.h>

#include <array>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <string>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <vector>

namespace {

class ExampleInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<ExampleInitiator> syscalls{"syscalls"};
  tlm_utils::simple_initiator_socket<ExampleInitiator> user_memory{"user_memory"};
  bool all_expected = true;

  SC_HAS_PROCESS(ExampleInitiator);
  ExampleInitiator(const sc_core::sc_module_name& name, zxvp::SyscallTarget& kernel)
      : sc_module(name), kernel_(kernel) {
    syscalls.bind(kernel.syscalls);
    user_memory.bind(kernel.user_memory);
    SC_THREAD(run);
  }

 private:
  void run() {
    constexpr uint64_t kBufferBytes = 4096;
    sc_core::sc_time delay = quantum_.get_local_time();
    process_ = kernel_.create_process("example", delay);
    quantum_.set(delay);

    // Out-parameters come back in the extension: this initiator has no user memory of its own
    // to receive them before it maps some (OutParameters::user_memory writes them there).
    const uint64_t vmo = call("vmo_create", ZX_SYS_vmo_create, {16384, 0}, ZX_OK).out;
    const uint64_t source = call("vmo_create", ZX_SYS_vmo_create, {kBufferBytes, 0}, ZX_OK).out;
    const uint64_t buffer = call("vmar_map", ZX_SYS_vmar_map,
                                 {kernel_.root_vmar(process_), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                                  0, source, 0, kBufferBytes},
                                 ZX_OK)
                                .out;

    std::vector<uint8_t> bytes(kBufferBytes);
    for (size_t i = 0; i < bytes.size(); ++i)
      bytes[i] = static_cast<uint8_t>(i * 7);
    access(tlm::TLM_WRITE_COMMAND, buffer, bytes);

    call("vmo_write (cold)", ZX_SYS_vmo_write, {vmo, buffer, 0, kBufferBytes}, ZX_OK);
    call("vmo_write (warm)", ZX_SYS_vmo_write, {vmo, buffer, 0, kBufferBytes}, ZX_OK);
    // Back into the buffer's second half from the VMO: the same bytes.
    call("vmo_read", ZX_SYS_vmo_read, {vmo, buffer + 2048, 0, 2048}, ZX_OK);
    std::vector<uint8_t> back(2048);
    access(tlm::TLM_READ_COMMAND, buffer + 2048, back);
    const bool same = std::equal(back.begin(), back.end(), bytes.begin());
    std::cout << "bytes read back: " << (same ? "the same" : "DIFFERENT") << "\n";
    all_expected = all_expected && same;

    // A VMO whose cache policy is not cached takes no zx_vmo_write.
    const uint64_t uncached = call("vmo_create", ZX_SYS_vmo_create, {4096, 0}, ZX_OK).out;
    call("vmo_set_cache_policy", ZX_SYS_vmo_set_cache_policy, {uncached, ZX_CACHE_POLICY_UNCACHED},
         ZX_OK);
    call("vmo_write (uncached)", ZX_SYS_vmo_write, {uncached, buffer, 0, 16}, ZX_ERR_BAD_STATE);

    quantum_.sync();
    std::cout << "initiator time at the end: " << sc_core::sc_time_stamp() << "\n";
  }

  // One system call through the socket, printed.
  zxvp::SyscallExtension call(const char* what, uint64_t number,
                              const std::array<uint64_t, 8>& arguments, zx_status_t expected) {
    zxvp::SyscallExtension extension;
    extension.process = process_;
    extension.number = number;
    extension.arguments = arguments;
    extension.out_parameters = zxvp::OutParameters::caller;
    tlm::tlm_generic_payload payload;
    extension.prepare(payload);
    sc_core::sc_time delay = quantum_.get_local_time();
    syscalls->b_transport(payload, delay);
    quantum_.set(delay);
    if (quantum_.need_sync()) quantum_.sync();
    payload.clear_extension(&extension);

    std::cout << std::left << std::setw(22) << what << std::setw(18)
              << zx_status_get_string(extension.status()) << std::right << std::setw(8)
              << extension.cycles << " cycles  [";
    const char* separator = "";
    for (size_t phase = 0; phase < zxvp::kCyclePhaseCount; ++phase) {
      if (extension.breakdown[phase] == 0) continue;
      std::cout << separator << zxvp::cycle_phase_name(static_cast<zxvp::CyclePhase>(phase)) << ' '
                << extension.breakdown[phase];
      separator = " ";
    }
    std::cout << "]\n";
    if (!payload.is_response_ok() || extension.status() != expected) all_expected = false;
    return extension;
  }

  // A load or store of the process at a virtual address.
  void access(tlm::tlm_command command, uint64_t address, std::vector<uint8_t>& bytes) {
    zxvp::SyscallExtension extension;
    extension.process = process_;
    tlm::tlm_generic_payload payload;
    extension.prepare_access(payload, command, address, bytes.data(),
                             static_cast<unsigned>(bytes.size()));
    sc_core::sc_time delay = quantum_.get_local_time();
    user_memory->b_transport(payload, delay);
    quantum_.set(delay);
    payload.clear_extension(&extension);
    std::cout << std::left << std::setw(22) << (command == tlm::TLM_READ_COMMAND ? "load" : "store")
              << std::setw(18) << zx_status_get_string(extension.status()) << std::right
              << std::setw(8) << extension.cycles << " cycles\n";
    if (!payload.is_response_ok()) all_expected = false;
  }

  zxvp::SyscallTarget& kernel_;
  tlm_utils::tlm_quantumkeeper quantum_;
  zx_koid_t process_ = 0;
};

}  // namespace

int sc_main(int argc, char* argv[]) {
  // Parameters: every key of the hardware and the kernel, the built-in `default` platform's
  // values (or a file: zxvp::load_platform_file("my.yaml", ...)), then the command line's.
  zxvp::ParameterSet parameters;
  zxvp::DefaultPlatform::declare_parameters(parameters);
  zxvp::declare_config<zxvp::KernelConfig>(parameters, "kernel");
  zxvp::load_platform_file("default", parameters);
  for (int i = 1; i < argc; ++i)
    parameters.set_assignment(argv[i], "command line");

  // The hardware, the kernel model on its core, and the kernel's socket.
  zxvp::DefaultPlatform platform("platform", parameters);
  zxvp::Kernel kernel(platform.cpu, zxvp::load_config<zxvp::KernelConfig>(parameters, "kernel"),
                      platform.address_map().memory_base, platform.memory.size_bytes(),
                      zxvp::DmaDevice{platform.address_map().dma_base, 0}, platform.statistics());
  zxvp::SyscallTarget kernel_socket("kernel_socket", kernel);

  // This platform's own initiator.
  ExampleInitiator initiator("initiator", kernel_socket);
  sc_core::sc_start();
  std::cout << (initiator.all_expected ? "every status as expected\n" : "UNEXPECTED status\n");
  return initiator.all_expected ? 0 : 1;
}
