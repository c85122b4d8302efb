// The system call stubs of the guest SDK, one per row of zxvp's table: Zircon's riscv64 vDSO
// convention, the number in t0, the arguments in a0-a7, the result in a0. Each stub has a
// section of its own, so that a program links only the calls it makes.
#include <zircon/syscall_numbers.h>

#define ZXVP_STUB(number, name, result, parameters)    \
  .section .text.zx_##name, "ax", @progbits;          \
  .globl zx_##name;                                   \
  .type zx_##name, @function;                         \
  zx_##name:                                          \
  li t0, number;                                      \
  ecall;                                              \
  ret;                                                \
  .size zx_##name, . - zx_##name;

ZXVP_SYSCALLS(ZXVP_STUB)
