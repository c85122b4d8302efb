#include "sw/kernel/syscall_dispatch.h"

#include "sw/api/zircon/syscall_numbers.h"

namespace zxvp {

namespace {

zx_handle_t handle_in(uint64_t reg) {
  return static_cast<zx_handle_t>(reg);
}
uint32_t word_in(uint64_t reg) {
  return static_cast<uint32_t>(reg);
}
uint64_t status_out(zx_status_t status) {
  return static_cast<uint64_t>(static_cast<int64_t>(status));
}

}  // namespace

SyscallResult dispatch_syscall(Kernel& kernel, Process& process, uint64_t number,
                               const std::array<uint64_t, 8>& a, OutParameters out_parameters) {
  using Kind = Kernel::UserOut::Kind;
  // The out-parameter of the call, written by the kernel before it returns.
  zx_handle_t out_handle = ZX_HANDLE_INVALID;
  uint64_t out_value = 0;
  bool out_is_handle = false;
  auto out = [&](Kind kind, uint64_t user_address) {
    out_is_handle = kind == Kind::handle;
    if (out_parameters == OutParameters::caller) return;
    kernel.copy_out_on_return({kind, user_address,
                               out_is_handle ? static_cast<const void*>(&out_handle) : &out_value,
                               out_is_handle ? static_cast<uint32_t>(sizeof out_handle)
                                             : static_cast<uint32_t>(sizeof out_value)});
  };
  SyscallResult result;
  zx_status_t status = ZX_OK;
  switch (number) {
    case ZX_SYS_vmo_create:
      out(Kind::handle, a[2]);
      status = kernel.vmo_create(process, a[0], word_in(a[1]), &out_handle);
      break;
    case ZX_SYS_vmo_read:
      status = kernel.vmo_read(process, handle_in(a[0]), a[1], a[2], a[3]);
      break;
    case ZX_SYS_vmo_write:
      status = kernel.vmo_write(process, handle_in(a[0]), a[1], a[2], a[3]);
      break;
    case ZX_SYS_vmo_get_size:
      out(Kind::value, a[1]);
      status = kernel.vmo_get_size(process, handle_in(a[0]), &out_value);
      break;
    case ZX_SYS_vmo_set_size:
      status = kernel.vmo_set_size(process, handle_in(a[0]), a[1]);
      break;
    case ZX_SYS_vmo_set_cache_policy:
      status = kernel.vmo_set_cache_policy(process, handle_in(a[0]), word_in(a[1]));
      break;
    case ZX_SYS_vmo_op_range:
      status = kernel.vmo_op_range(process, handle_in(a[0]), word_in(a[1]), a[2], a[3], a[5]);
      break;
    case ZX_SYS_vmo_create_child:
      out(Kind::handle, a[4]);
      status =
          kernel.vmo_create_child(process, handle_in(a[0]), word_in(a[1]), a[2], a[3], &out_handle);
      break;
    case ZX_SYS_vmo_replace_as_executable:
      out(Kind::handle, a[2]);
      status =
          kernel.vmo_replace_as_executable(process, handle_in(a[0]), handle_in(a[1]), &out_handle);
      break;
    case ZX_SYS_handle_duplicate:
      out(Kind::handle, a[2]);
      status = kernel.handle_duplicate(process, handle_in(a[0]), word_in(a[1]), &out_handle);
      break;
    case ZX_SYS_handle_replace:
      out(Kind::handle, a[2]);
      status = kernel.handle_replace(process, handle_in(a[0]), word_in(a[1]), &out_handle);
      break;
    case ZX_SYS_handle_close:
      status = kernel.handle_close(process, handle_in(a[0]));
      break;
    case ZX_SYS_vmar_map:
      out(Kind::mapping, a[6]);
      status = kernel.vmar_map(process, handle_in(a[0]), word_in(a[1]), a[2], handle_in(a[3]), a[4],
                               a[5], &out_value);
      break;
    case ZX_SYS_vmar_unmap:
      status = kernel.vmar_unmap(process, handle_in(a[0]), a[1], a[2]);
      break;
    case ZX_SYS_vmar_protect:
      status = kernel.vmar_protect(process, handle_in(a[0]), word_in(a[1]), a[2], a[3]);
      break;
    case ZX_SYS_process_exit:
      kernel.process_exit(process, static_cast<int64_t>(a[0]));
      result.exited = true;
      result.return_code = static_cast<int64_t>(a[0]);
      return result;
    case ZX_SYS_debug_write:
      status = kernel.debug_write(process, a[0], a[1]);
      break;
    case ZX_SYS_ticks_get:
      result.value = static_cast<uint64_t>(kernel.ticks_get(process));
      return result;
    case ZX_SYS_ticks_per_second:
      result.value = static_cast<uint64_t>(kernel.ticks_per_second(process));
      return result;
    case ZX_SYS_clock_get_monotonic:
      result.value = static_cast<uint64_t>(kernel.clock_get_monotonic(process));
      return result;
    default:
      status = kernel.bad_syscall(process, number);
      break;
  }
  result.value = status_out(status);
  result.out = out_is_handle ? out_handle : out_value;
  return result;
}

}  // namespace zxvp
