// A program that goes wrong on purpose, as its argument says, so that zxvp's report of it can be
// seen (and tested): the kernel ends the process, the platform goes on.
//   store-read-only  store-protected  fetch-no-execute  load-unmapped  illegal  ebreak
//   misaligned-atomic
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>

static zx_vaddr_t map_new(uint32_t permissions) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_vaddr_t address = 0;
  zx_vmo_create(4096, 0, &vmo);
  const zx_status_t status =
      zx_vmar_map(zx_vmar_root_self(), permissions, 0, vmo, 0, 4096, &address);
  printf("zx_vmar_map: %s at %#llx\n", zx_status_get_string(status), (unsigned long long)address);
  return address;
}

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "";
  printf("faults: %s\n", what);
  fflush(stdout);
  if (strcmp(what, "store-read-only") == 0) {
    volatile int* word = (volatile int*)map_new(ZX_VM_PERM_READ);
    printf("it reads %d\n", *word);
    *word = 1;
  } else if (strcmp(what, "store-protected") == 0) {
    // Writable when mapped, read-only since: the page was never touched, so the MMU has no
    // entry for it and the kernel says why the store may not go on.
    volatile int* word = (volatile int*)map_new(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
    printf("zx_vmar_protect: %s\n",
           zx_status_get_string(
               zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, (zx_vaddr_t)word, 4096)));
    *word = 1;
  } else if (strcmp(what, "fetch-no-execute") == 0) {
    uint32_t* code = (uint32_t*)map_new(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
    code[0] = 0x00008067;  // ret
    ((void (*)(void))code)();
  } else if (strcmp(what, "load-unmapped") == 0) {
    printf("it reads %d\n", *(volatile int*)0x1000);
  } else if (strcmp(what, "illegal") == 0) {
    __asm__ volatile(".4byte 0xffffffff");
  } else if (strcmp(what, "ebreak") == 0) {
    __asm__ volatile("ebreak");
  } else if (strcmp(what, "misaligned-atomic") == 0) {
    static uint64_t words[2];
    __atomic_fetch_add((uint32_t*)((char*)words + 2), 1, __ATOMIC_RELAXED);
  } else {
    printf("unknown fault '%s'\n", what);
    return 2;
  }
  printf("still running: the fault did not happen\n");
  return 1;
}
