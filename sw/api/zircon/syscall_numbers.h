#pragma once

// zxvp's system call table: the one list of the calls guest code reaches with `ecall`, their
// numbers (zxvp's own, see SYSCALLS.md beside this file) and Zircon's signatures. It generates
// the prototypes of <zircon/syscalls.h>, the guest SDK's stubs (li t0, NUMBER; ecall; ret) and
// the numbers the kernel model's dispatch switches on.
//
//   X(number, name, return type, (parameters))
#define ZXVP_SYSCALLS(X)                                                                          \
  X(1, vmo_create, zx_status_t, (uint64_t size, uint32_t options, zx_handle_t * out))             \
  X(2, vmo_read, zx_status_t,                                                                     \
    (zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size))                      \
  X(3, vmo_write, zx_status_t,                                                                    \
    (zx_handle_t handle, const void* buffer, uint64_t offset, size_t buffer_size))                \
  X(4, vmo_get_size, zx_status_t, (zx_handle_t handle, uint64_t * size))                          \
  X(5, vmo_set_size, zx_status_t, (zx_handle_t handle, uint64_t size))                            \
  X(6, vmo_set_cache_policy, zx_status_t, (zx_handle_t handle, uint32_t cache_policy))            \
  X(7, vmo_op_range, zx_status_t,                                                                 \
    (zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size, void* buffer,               \
     size_t buffer_size))                                                                         \
  X(8, vmo_create_child, zx_status_t,                                                             \
    (zx_handle_t handle, uint32_t options, uint64_t offset, uint64_t size, zx_handle_t * out))    \
  X(9, vmo_replace_as_executable, zx_status_t,                                                    \
    (zx_handle_t handle, zx_handle_t vmex, zx_handle_t * out))                                    \
  X(10, handle_duplicate, zx_status_t,                                                            \
    (zx_handle_t handle, zx_rights_t rights, zx_handle_t * out))                                  \
  X(11, handle_replace, zx_status_t, (zx_handle_t handle, zx_rights_t rights, zx_handle_t * out)) \
  X(12, handle_close, zx_status_t, (zx_handle_t handle))                                          \
  X(13, vmar_map, zx_status_t,                                                                    \
    (zx_handle_t handle, zx_vm_option_t options, uint64_t vmar_offset, zx_handle_t vmo,           \
     uint64_t vmo_offset, uint64_t len, zx_vaddr_t * mapped_addr))                                \
  X(14, vmar_unmap, zx_status_t, (zx_handle_t handle, zx_vaddr_t addr, uint64_t len))             \
  X(15, vmar_protect, zx_status_t,                                                                \
    (zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr, uint64_t len))                  \
  X(16, process_exit, ZXVP_NORETURN void, (int64_t retcode))                                      \
  X(17, debug_write, zx_status_t, (const char* buffer, size_t buffer_size))                       \
  X(18, ticks_get, zx_ticks_t, (void))                                                            \
  X(19, ticks_per_second, zx_ticks_t, (void))                                                     \
  X(20, clock_get_monotonic, zx_time_t, (void))

#define ZXVP_NORETURN __attribute__((noreturn))

#ifndef __ASSEMBLER__
// The numbers as constants: ZX_SYS_vmo_write and so on.
enum zxvp_syscall_number {
#define ZXVP_SYSCALL_NUMBER(number, name, type, parameters) ZX_SYS_##name = (number),
  ZXVP_SYSCALLS(ZXVP_SYSCALL_NUMBER)
#undef ZXVP_SYSCALL_NUMBER
};
#endif
