// The kernel model's TLM-2.0 socket (sw/kernel/syscall_target.h): the same statuses, bytes and
// cycles as a scenario making the same calls, its time on the initiator's `delay`, and every
// malformed transaction answered with a TLM error response or a Zircon status.
#include "sw/kernel/syscall_target.h"

#include <gtest/gtest.h>

// What a platform builder includes (README, "Using zxvp in your own platform"), here served by
// the build tree's include/zxvp.
#include <zxvp/zxvp.h>

#include <cstring>
#include <memory>

#include "sw/workloads/scenario_runner.h"
#include "tests/support/kernel_fixture.h"
#include "tests/support/simulation.h"
#include "tests/support/syscall_initiator.h"

namespace zxvp {
namespace {

using testing::SyscallInitiator;

std::unique_ptr<System> make_system(const char* name) {
  ParameterSet parameters;
  System::declare_parameters(parameters);
  load_platform_file("default", parameters);
  return std::make_unique<System>(parameters, name);
}

// A system with the socket and a test initiator bound to it.
struct SocketRig {
  std::unique_ptr<System> system = make_system("platform");
  SyscallTarget target{"syscall_target", system->kernel()};
  SyscallInitiator initiator{"initiator", target};
};

// The uncached rejection and a copy by each engine (kernel.copy_engine auto: DMA from 16 KiB).
const char* kScenario = R"(
steps:
  - vmo_create: {size: 64KiB, out: v}
  - vmo_create: {size: 64KiB, out: src}
  - vmar_map: {vmo: src, options: [ZX_VM_PERM_READ, ZX_VM_PERM_WRITE], len: 64KiB, out: buf}
  - store: {addr: buf, random: {seed: 3, len: 64KiB}}
  - vmo_write: {handle: v, buffer: buf, offset: 0, buffer_size: 4096}
  - vmo_write: {handle: v, buffer: buf, offset: 0, buffer_size: 4096}
  - vmo_write: {handle: v, buffer: buf, offset: 0, buffer_size: 64KiB}
  - vmo_create: {size: 64KiB, out: dst}
  - vmar_map: {vmo: dst, options: [ZX_VM_PERM_READ, ZX_VM_PERM_WRITE], len: 64KiB, out: back}
  - vmo_read: {handle: v, buffer: back, offset: 0, buffer_size: 64KiB}
  - load: {addr: back, random: {seed: 3, len: 64KiB}}
  - vmo_create: {size: 4096, out: u}
  - vmo_set_cache_policy: {handle: u, cache_policy: ZX_CACHE_POLICY_UNCACHED}
  - vmo_write: {handle: u, buffer: buf, offset: 0, buffer_size: 16, expect: ZX_ERR_BAD_STATE}
  - vmo_write: {handle: 12345, buffer: buf, offset: 0, buffer_size: 16, expect: ZX_ERR_BAD_HANDLE}
)";

TEST(SyscallTarget, GivesTheStatusesBytesAndCyclesOfTheSameCallsInAScenario) {
  const Scenario scenario = parse_scenario(kScenario, "socket.yaml");
  std::unique_ptr<System> scenario_system = make_system("scenario_platform");
  ScenarioRunner runner(*scenario_system, scenario);
  runner.start();

  SocketRig rig;
  std::vector<SyscallExtension> calls;
  std::vector<uint8_t> loaded(64 * 1024);
  const std::vector<uint8_t> stored = scenario.steps[3].data->materialize();
  sc_core::sc_spawn(
      [&] {
        SyscallInitiator& cpu = rig.initiator;
        cpu.create_process("main");
        auto call = [&](uint64_t number, const std::array<uint64_t, 8>& arguments) {
          calls.push_back(cpu.call(number, arguments));
          EXPECT_EQ(cpu.response, tlm::TLM_OK_RESPONSE);
          return calls.back().out;
        };
        const uint64_t rw = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
        const uint64_t v = call(ZX_SYS_vmo_create, {64 * 1024, 0});
        const uint64_t src = call(ZX_SYS_vmo_create, {64 * 1024, 0});
        const uint64_t buf = call(ZX_SYS_vmar_map, {cpu.root_vmar(), rw, 0, src, 0, 64 * 1024});
        std::vector<uint8_t> bytes = stored;
        calls.push_back(cpu.access(tlm::TLM_WRITE_COMMAND, buf, bytes));
        call(ZX_SYS_vmo_write, {v, buf, 0, 4096});
        call(ZX_SYS_vmo_write, {v, buf, 0, 4096});
        call(ZX_SYS_vmo_write, {v, buf, 0, 64 * 1024});
        const uint64_t dst = call(ZX_SYS_vmo_create, {64 * 1024, 0});
        const uint64_t back = call(ZX_SYS_vmar_map, {cpu.root_vmar(), rw, 0, dst, 0, 64 * 1024});
        call(ZX_SYS_vmo_read, {v, back, 0, 64 * 1024});
        calls.push_back(cpu.access(tlm::TLM_READ_COMMAND, back, loaded));
        const uint64_t u = call(ZX_SYS_vmo_create, {4096, 0});
        call(ZX_SYS_vmo_set_cache_policy, {u, ZX_CACHE_POLICY_UNCACHED});
        call(ZX_SYS_vmo_write, {u, buf, 0, 16});
        call(ZX_SYS_vmo_write, {12345, buf, 0, 16});
      },
      "socket_initiator");
  sc_core::sc_start();

  ASSERT_TRUE(runner.finished());
  const std::vector<StepResult>& steps = runner.results();
  ASSERT_EQ(steps.size(), calls.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    SCOPED_TRACE("step " + std::to_string(i));
    EXPECT_TRUE(steps[i].ok) << steps[i].note;
    EXPECT_ZX(steps[i].status, calls[i].status());
    EXPECT_EQ(steps[i].record.cycles, calls[i].cycles);
    EXPECT_EQ(steps[i].record.breakdown, calls[i].breakdown);
  }
  EXPECT_EQ(loaded, stored);
  EXPECT_GT(calls[6].phase_cycles(CyclePhase::dma_wait), 0u) << "the 64 KiB write went to DMA";
}

TEST(SyscallTarget, AddsTheCallsTimeToTheInitiatorsDelay) {
  SocketRig rig;
  testing::run_in_thread([&] {
    SyscallInitiator& cpu = rig.initiator;
    const sc_core::sc_time period = rig.system->platform().cpu.clock().period();
    sc_core::wait(sc_core::sc_time(1, sc_core::SC_US));
    cpu.delay = sc_core::sc_time(250, sc_core::SC_NS);
    cpu.create_process("main");
    const uint64_t vmo = cpu.call(ZX_SYS_vmo_create, {4096, 0}).out;
    const sc_core::sc_time before = sc_core::sc_time_stamp() + cpu.delay;
    const SyscallExtension size = cpu.call(ZX_SYS_vmo_get_size, {vmo});
    EXPECT_ZX(ZX_OK, size.status());
    EXPECT_EQ(size.out, 4096u);
    EXPECT_EQ(sc_core::sc_time_stamp() + cpu.delay, before + period * size.cycles);
    EXPECT_EQ(size.cycles, size.phase_cycles(CyclePhase::entry) +
                               size.phase_cycles(CyclePhase::checks) +
                               size.phase_cycles(CyclePhase::exit));
  });
}

TEST(SyscallTarget, ACallForAProcessThatIsGoneIsBadHandle) {
  SocketRig rig;
  testing::run_in_thread([&] {
    SyscallInitiator& cpu = rig.initiator;
    cpu.use_process(4321);
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, cpu.call(ZX_SYS_vmo_create, {4096, 0}).status());
    EXPECT_EQ(cpu.response, tlm::TLM_OK_RESPONSE);
    cpu.create_process("main");
    const SyscallExtension exit = cpu.call(ZX_SYS_process_exit, {static_cast<uint64_t>(-3)});
    EXPECT_TRUE(exit.exited);
    EXPECT_EQ(exit.return_code, -3);
    const sc_core::sc_time before = cpu.delay;
    const SyscallExtension after = cpu.call(ZX_SYS_vmo_create, {4096, 0});
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, after.status());
    EXPECT_EQ(after.cycles, 0u);
    EXPECT_EQ(cpu.delay, before);
    EXPECT_EQ(cpu.root_vmar(), ZX_HANDLE_INVALID);
    std::vector<uint8_t> bytes(8);
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, cpu.access(tlm::TLM_READ_COMMAND, 0x1000, bytes).status());
    EXPECT_EQ(cpu.response, tlm::TLM_GENERIC_ERROR_RESPONSE);
  });
}

TEST(SyscallTarget, WritesOutParametersToUserMemoryAsTheGuestAbiSays) {
  SocketRig rig;
  testing::run_in_thread([&] {
    SyscallInitiator& cpu = rig.initiator;
    cpu.create_process("main");
    const uint64_t page = cpu.call(ZX_SYS_vmo_create, {4096, 0}).out;
    const uint64_t out =
        cpu.call(ZX_SYS_vmar_map,
                 {cpu.root_vmar(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, page, 0, 4096})
            .out;
    const SyscallExtension created =
        cpu.call(ZX_SYS_vmo_create, {8192, 0, out}, OutParameters::user_memory);
    ASSERT_ZX(ZX_OK, created.status());
    std::vector<uint8_t> handle(sizeof(zx_handle_t));
    ASSERT_ZX(ZX_OK, cpu.access(tlm::TLM_READ_COMMAND, out, handle).status());
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    std::memcpy(&vmo, handle.data(), sizeof vmo);
    const SyscallExtension size =
        cpu.call(ZX_SYS_vmo_get_size, {vmo, out + 8}, OutParameters::user_memory);
    ASSERT_ZX(ZX_OK, size.status());
    std::vector<uint8_t> value(8);
    cpu.access(tlm::TLM_READ_COMMAND, out + 8, value);
    EXPECT_EQ(value[1], 0x20) << "8192 little-endian";
    // The copy out is part of the call, and an unmapped out-parameter is INVALID_ARGS.
    EXPECT_GT(size.phase_cycles(CyclePhase::copy), 0u);
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              cpu.call(ZX_SYS_vmo_create, {4096, 0, 0x1000}, OutParameters::user_memory).status());
  });
}

TEST(SyscallTarget, RefusesMalformedTransactionsWithoutTimeOrCrash) {
  SocketRig rig;
  testing::run_in_thread([&] {
    SyscallInitiator& cpu = rig.initiator;
    cpu.create_process("main");
    const sc_core::sc_time start = cpu.delay;
    auto refused =
        [&](const std::function<void(tlm::tlm_generic_payload&, SyscallExtension&)>& spoil) {
          SyscallExtension extension;
          extension.process = cpu.process();
          extension.number = ZX_SYS_vmo_create;
          extension.arguments = {4096, 0};
          extension.out_parameters = OutParameters::caller;
          extension.value = 77;
          tlm::tlm_generic_payload payload;
          extension.prepare(payload);
          spoil(payload, extension);
          cpu.syscalls->b_transport(payload, cpu.delay);
          if (payload.get_extension<SyscallExtension>() != nullptr)
            payload.clear_extension(&extension);
          EXPECT_EQ(extension.value, 77u) << "the extension is untouched";
          return payload.get_response_status();
        };
    EXPECT_EQ(refused([](auto& payload, auto& extension) { payload.clear_extension(&extension); }),
              tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(refused([](auto& payload, auto&) { payload.set_command(tlm::TLM_READ_COMMAND); }),
              tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(refused([](auto& payload, auto&) { payload.set_command(tlm::TLM_IGNORE_COMMAND); }),
              tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(refused([](auto& payload, auto&) { payload.set_data_length(8); }),
              tlm::TLM_GENERIC_ERROR_RESPONSE);
    std::array<uint64_t, 8> elsewhere{4096};
    EXPECT_EQ(refused([&](auto& payload, auto&) {
                payload.set_data_ptr(reinterpret_cast<unsigned char*>(elsewhere.data()));
              }),
              tlm::TLM_GENERIC_ERROR_RESPONSE);
    unsigned char enables[64] = {};
    EXPECT_EQ(refused([&](auto& payload, auto&) {
                payload.set_byte_enable_ptr(enables);
                payload.set_byte_enable_length(64);
              }),
              tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    EXPECT_EQ(refused([](auto& payload, auto&) { payload.set_streaming_width(8); }),
              tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.delay, start) << "a refused transaction takes no time";

    // Well formed, but not a call the kernel has: Zircon's statuses.
    for (uint64_t number : {uint64_t{21}, uint64_t{999}, ~uint64_t{0}}) {
      const SyscallExtension unknown = cpu.call(number, {});
      EXPECT_EQ(cpu.response, tlm::TLM_OK_RESPONSE);
      EXPECT_ZX(ZX_ERR_BAD_SYSCALL, unknown.status());
      EXPECT_GT(unknown.cycles, 0u) << "a trap was taken";
    }

    // User loads and stores: a fault is an address error with its status; a command other than
    // read or write is refused.
    std::vector<uint8_t> bytes(16);
    EXPECT_ZX(ZX_ERR_NOT_FOUND, cpu.access(tlm::TLM_READ_COMMAND, 0x1000, bytes).status());
    EXPECT_EQ(cpu.response, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    cpu.access(tlm::TLM_IGNORE_COMMAND, 0x1000, bytes);
    EXPECT_EQ(cpu.response, tlm::TLM_COMMAND_ERROR_RESPONSE);
    tlm::tlm_generic_payload bare;
    bare.set_command(tlm::TLM_READ_COMMAND);
    bare.set_data_ptr(bytes.data());
    bare.set_data_length(16);
    bare.set_streaming_width(16);
    cpu.user_memory->b_transport(bare, cpu.delay);
    EXPECT_EQ(bare.get_response_status(), tlm::TLM_GENERIC_ERROR_RESPONSE);
  });
}

}  // namespace
}  // namespace zxvp
