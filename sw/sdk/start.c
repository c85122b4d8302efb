// The C side of a guest program's start-up: the program's memory, then the C library, then
// main(argc, argv), whose result goes to zx_process_exit through exit().
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>

#include "runtime.h"

// Bounds from the linker script (zxvp.ld): their addresses are the values.
extern char __bss_start[];
extern char __bss_end[];
extern char __tls_base[];
extern char __tbss_offset[];
extern char __tbss_size[];

extern void __libc_init_array(void);
extern int main(int argc, char** argv);

static zx_handle_t root_vmar;

zx_handle_t zx_vmar_root_self(void) {
  return root_vmar;
}

__attribute__((noreturn)) void __zxvp_start(long argc, char** argv, zx_handle_t root) {
  // The loader maps bss as fresh VMO pages, which read as zero; clearing them anyway keeps the
  // program correct under any loader (and costs the stores a real start-up costs).
  memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
  memset(__tls_base + (uintptr_t)__tbss_offset, 0, (uintptr_t)__tbss_size);
  root_vmar = root;
  __zxvp_heap_start();
  __libc_init_array();
  exit(main((int)argc, argv));
}
