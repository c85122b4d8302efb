#pragma once

// Timing a system call from user code with the core's cycle counter. The call is one ecall
// between two rdcycle instructions, in one cache line (so that no instruction fetch is charged
// in between): the difference is the call's cycles plus the first rdcycle's own, which
// rdcycle_cost() measures.
#include <stdint.h>
#include <zircon/syscalls.h>

static inline uint64_t rdcycle_cost(void) {
  uint64_t start, end;
  __asm__ volatile(".balign 16\n\trdcycle %0\n\trdcycle %1" : "=r"(start), "=r"(end));
  return end - start;
}

// zx_vmo_write(handle, buffer, offset, size), the way the SDK's stub makes it; *cycles gets the
// cycles from before the ecall to after it, the first rdcycle's included.
static inline zx_status_t timed_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                                          uint64_t size, uint64_t* cycles) {
  register uint64_t a0 __asm__("a0") = handle;
  register uint64_t a1 __asm__("a1") = (uint64_t)buffer;
  register uint64_t a2 __asm__("a2") = offset;
  register uint64_t a3 __asm__("a3") = size;
  register uint64_t t0 __asm__("t0") = ZX_SYS_vmo_write;
  uint64_t start, end;
  __asm__ volatile(".balign 16\n\trdcycle %[start]\n\tecall\n\trdcycle %[end]"
                   : [start] "=&r"(start), [end] "=&r"(end), "+r"(a0)
                   : "r"(a1), "r"(a2), "r"(a3), "r"(t0)
                   : "memory");
  *cycles = end - start;
  return (zx_status_t)a0;
}
