// The entry point of a guest program. The loader (sw/kernel/program_loader.h) starts it with
// a0 = argc, a1 = argv, a2 = the handle of the process's root VMAR and sp at the top of the
// stack, 16-byte aligned; the rest is C (start.c).
  .section .text.init.enter, "ax", @progbits
  .globl _start
  .type _start, @function
_start:
  // gp must be set without linker relaxation, which would compute it from gp itself.
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  // The one thread's TLS block is the program's .tdata and .tbss, in place (zxvp.ld).
  la tp, __tls_base
  call __zxvp_start
  unimp
  .size _start, . - _start
