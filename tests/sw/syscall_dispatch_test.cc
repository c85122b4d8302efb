// The one entry of user mode into the kernel model: a call number and the argument registers,
// pointers being user addresses (SYSCALLS.md): out-parameters copied before the call returns,
// Zircon's statuses for bad ones, and what zxvp adds to the VMO, VMAR and handle calls.
#include "sw/kernel/syscall_dispatch.h"

#include <gtest/gtest.h>

#include <sstream>

#include "sw/api/zircon/syscall_numbers.h"
#include "tests/support/kernel_fixture.h"

namespace zxvp {
namespace {

using testing::KernelTest;

constexpr uint64_t kUnmapped = 0x1000;  // below the root VMAR: never mapped

zx_status_t status_of(const SyscallResult& result) {
  return static_cast<zx_status_t>(static_cast<int64_t>(result.value));
}

SyscallResult call(Kernel& kernel, Process& process, uint64_t number,
                   std::array<uint64_t, 8> arguments) {
  return dispatch_syscall(kernel, process, number, arguments);
}

class SyscallDispatchTest : public KernelTest {};

TEST_F(SyscallDispatchTest, OutParametersAreWrittenToUserMemoryBeforeTheCallReturns) {
  run([](Kernel& kernel, Process& process) {
    const uint64_t out = map_new(kernel, process, 4096);
    const SyscallResult created = call(kernel, process, ZX_SYS_vmo_create, {8192, 0, out});
    ASSERT_ZX(ZX_OK, status_of(created));
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, kernel.user_load(process, out, &vmo, sizeof vmo));
    EXPECT_NE(process.handles().find(vmo), nullptr);
    // The copy out is part of the call: its cycles are in the call's record.
    ASSERT_ZX(ZX_OK, status_of(call(kernel, process, ZX_SYS_vmo_get_size, {vmo, out + 8})));
    EXPECT_EQ(kernel.last_record().name, "vmo_get_size");
    EXPECT_GT(kernel.last_record().breakdown[static_cast<size_t>(CyclePhase::copy)], 0u);
    uint64_t size = 0;
    ASSERT_ZX(ZX_OK, kernel.user_load(process, out + 8, &size, sizeof size));
    EXPECT_EQ(size, 8192u);
  });
}

TEST_F(SyscallDispatchTest, ABadOutPointerIsInvalidArgsAndUndoesWhatTheCallMade) {
  run([](Kernel& kernel, Process& process) {
    const size_t handles = process.handles().size();
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              status_of(call(kernel, process, ZX_SYS_vmo_create, {4096, 0, kUnmapped})));
    EXPECT_EQ(process.handles().size(), handles) << "the new handle was closed";
    // A kernel address is not in the user half: refused without a fault.
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, status_of(call(kernel, process, ZX_SYS_vmo_create,
                                                  {4096, 0, 0xffff'8000'0000'0000})));
    zx_handle_t vmo = make_vmo(kernel, process, 4096);
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              status_of(call(kernel, process, ZX_SYS_vmo_get_size, {vmo, kUnmapped})));
    const size_t mappings = process.root_vmar().mapping_count();
    EXPECT_ZX(
        ZX_ERR_INVALID_ARGS,
        status_of(call(kernel, process, ZX_SYS_vmar_map,
                       {process.root_vmar_handle(), ZX_VM_PERM_READ, 0, vmo, 0, 4096, kUnmapped})));
    EXPECT_EQ(process.root_vmar().mapping_count(), mappings) << "the mapping was removed";
    // A read-only out-parameter page is no better than an unmapped one.
    const uint64_t read_only = map_new(kernel, process, 4096, ZX_VM_PERM_READ);
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, status_of(call(kernel, process, ZX_SYS_handle_duplicate,
                                                  {vmo, ZX_RIGHT_SAME_RIGHTS, read_only})));
  });
}

TEST_F(SyscallDispatchTest, AFailedCallWritesNoOutParameter) {
  run([](Kernel& kernel, Process& process) {
    const uint64_t out = map_new(kernel, process, 4096);
    const uint64_t marker = 0x5a5a5a5a5a5a5a5a;
    store(kernel, process, out,
          std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(&marker),
                               reinterpret_cast<const uint8_t*>(&marker) + 8));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              status_of(call(kernel, process, ZX_SYS_vmo_create, {4096, 0x100, out})));
    uint64_t seen = 0;
    ASSERT_ZX(ZX_OK, kernel.user_load(process, out, &seen, sizeof seen));
    EXPECT_EQ(seen, marker);
  });
}

TEST_F(SyscallDispatchTest, NarrowArgumentsTakeTheLowHalfOfTheirRegister) {
  run([](Kernel& kernel, Process& process) {
    const zx_handle_t vmo = make_vmo(kernel, process, 4096);
    const uint64_t noisy = 0xdead'beef'0000'0000 | vmo;
    EXPECT_ZX(ZX_OK, status_of(call(kernel, process, ZX_SYS_vmo_set_cache_policy,
                                    {noisy, 0xffff'ffff'0000'0000 | ZX_CACHE_POLICY_UNCACHED})));
  });
}

TEST_F(SyscallDispatchTest, UnknownNumbersAreBadSyscall) {
  run([](Kernel& kernel, Process& process) {
    for (uint64_t number : {uint64_t{0}, uint64_t{21}, uint64_t{999}, ~uint64_t{0}}) {
      EXPECT_ZX(ZX_ERR_BAD_SYSCALL, status_of(call(kernel, process, number, {})));
      EXPECT_EQ(kernel.last_record().name, "bad_syscall");
    }
  });
}

TEST_F(SyscallDispatchTest, ProcessExitReturnsTheCodeAndNoStatus) {
  run([](Kernel& kernel, Process& process) {
    const SyscallResult result =
        call(kernel, process, ZX_SYS_process_exit, {static_cast<uint64_t>(-7)});
    EXPECT_TRUE(result.exited);
    EXPECT_EQ(result.return_code, -7);
    EXPECT_EQ(kernel.last_record().name, "process_exit");
    EXPECT_EQ(kernel.last_record().breakdown[static_cast<size_t>(CyclePhase::exit)], 0u);
  });
}

TEST_F(SyscallDispatchTest, DebugWriteReadsTheCallersBufferOrSaysInvalidArgs) {
  run([](Kernel& kernel, Process& process) {
    std::ostringstream console;
    kernel.console().set_stream(console);
    const uint64_t buffer = map_new(kernel, process, 4096);
    const std::string text = "from the guest\n";
    store(kernel, process, buffer, std::vector<uint8_t>(text.begin(), text.end()));
    EXPECT_ZX(ZX_OK, status_of(call(kernel, process, ZX_SYS_debug_write, {buffer, text.size()})));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              status_of(call(kernel, process, ZX_SYS_debug_write, {kUnmapped, 4})));
    // At most 256 bytes a call, as Zircon's kMaxDebugWriteSize.
    store(kernel, process, buffer, std::vector<uint8_t>(300, 'x'));
    EXPECT_ZX(ZX_OK, status_of(call(kernel, process, ZX_SYS_debug_write, {buffer, 300})));
    EXPECT_EQ(console.str(), text + std::string(256, 'x'));
    kernel.console().set_stream(std::cout);
  });
}

TEST_F(SyscallDispatchTest, ReplaceAsExecutableConsumesTheHandleAndAddsExecute) {
  run([](Kernel& kernel, Process& process) {
    const uint64_t out = map_new(kernel, process, 4096);
    const zx_handle_t vmo = make_vmo(kernel, process, 4096);
    const zx_rights_t before = rights_of(process, vmo);
    ASSERT_ZX(ZX_OK, status_of(call(kernel, process, ZX_SYS_vmo_replace_as_executable,
                                    {vmo, ZX_HANDLE_INVALID, out})));
    zx_handle_t executable = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, kernel.user_load(process, out, &executable, sizeof executable));
    EXPECT_EQ(process.handles().find(vmo), nullptr);
    EXPECT_EQ(rights_of(process, executable), before | ZX_RIGHT_EXECUTE);
    // The source is answered for first, then the VMEX, which no handle can be; a found source
    // is consumed either way.
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, status_of(call(kernel, process, ZX_SYS_vmo_replace_as_executable,
                                                {vmo, 12345, out})));
    const zx_handle_t other = make_vmo(kernel, process, 4096);
    EXPECT_ZX(ZX_ERR_WRONG_TYPE, status_of(call(kernel, process, ZX_SYS_vmo_replace_as_executable,
                                                {other, executable, out})));
    EXPECT_EQ(process.handles().find(other), nullptr);
    EXPECT_ZX(ZX_ERR_WRONG_TYPE, status_of(call(kernel, process, ZX_SYS_vmo_replace_as_executable,
                                                {process.root_vmar_handle(), 0, out})));
  });
}

TEST_F(SyscallDispatchTest, TicksAreNanosecondsOfSimulatedTime) {
  run([](Kernel& kernel, Process& process) {
    EXPECT_EQ(call(kernel, process, ZX_SYS_ticks_per_second, {}).value, 1'000'000'000u);
    const uint64_t first = call(kernel, process, ZX_SYS_ticks_get, {}).value;
    kernel.cpu().compute(kernel.cpu().clock().frequency_mhz());  // 1 us
    const uint64_t second = call(kernel, process, ZX_SYS_clock_get_monotonic, {}).value;
    EXPECT_GE(second - first, 1000u);
    EXPECT_LT(second - first, 1500u);
  });
}

}  // namespace
}  // namespace zxvp
