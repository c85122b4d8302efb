#pragma once

// The Zircon system calls that zxvp's kernel model serves, with Zircon's names, types and
// signatures (generated from syscall_numbers.h). C and C++.
//
// Guest programs (RISC-V code built with zxvp-cc) get them as <zircon/syscalls.h>: each is a
// stub that traps into the kernel model, and every pointer is an address in the calling
// process. Host programs (C++ on the simulated core, sw/api/user_thread.h) get the same
// declarations; there, data buffers (`buffer`) are virtual addresses of the calling process and
// out-parameters are ordinary host pointers of the program.

#include "syscall_numbers.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZXVP_SYSCALL_PROTOTYPE(number, name, type, parameters) type zx_##name parameters;
ZXVP_SYSCALLS(ZXVP_SYSCALL_PROTOTYPE)
#undef ZXVP_SYSCALL_PROTOTYPE

#ifdef __cplusplus
}
#endif
