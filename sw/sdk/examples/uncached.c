// A VMO made uncached: zx_vmo_write and zx_vmo_read refuse it (ZX_ERR_BAD_STATE, nothing
// copied), while a mapping of it takes the program's own loads and stores, each a transaction
// on the bus instead of a cache hit.
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>

#include "cycles.h"

static uint64_t cycles_now(void) {
  uint64_t now;
  __asm__ volatile("rdcycle %0" : "=r"(now)::"memory");
  return now;
}

int main(void) {
  static unsigned char buffer[4096];
  memset(buffer, 0xa5, sizeof buffer);
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_status_t status = zx_vmo_create(16384, 0, &vmo);
  printf("zx_vmo_create: %s\n", zx_status_get_string(status));
  status = zx_vmo_write(vmo, buffer, 0, sizeof buffer);
  printf("zx_vmo_write while cached: %s\n", zx_status_get_string(status));
  status = zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED);
  printf("zx_vmo_set_cache_policy(ZX_CACHE_POLICY_UNCACHED): %s\n", zx_status_get_string(status));
  uint64_t cycles = 0;
  const zx_status_t refused = timed_vmo_write(vmo, buffer + 16, 0, 16, &cycles);
  printf("zx_vmo_write into the uncached VMO: %s after %llu cycles\n",
         zx_status_get_string(refused), (unsigned long long)(cycles - rdcycle_cost()));
  const zx_status_t read = zx_vmo_read(vmo, buffer, 0, 16);
  printf("zx_vmo_read from it: %s\n", zx_status_get_string(read));

  zx_vaddr_t address = 0;
  status = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 16384,
                       &address);
  printf("zx_vmar_map: %s\n", zx_status_get_string(status));
  volatile uint64_t* words = (volatile uint64_t*)address;
  words[0] = 1;  // the first store takes the page fault
  uint64_t start = cycles_now();
  words[1] = 0x1234;
  const uint64_t uncached_store = cycles_now() - start;
  start = cycles_now();
  buffer[64] = 1;
  const uint64_t cached_store = cycles_now() - start;
  printf(
      "a store through the uncached mapping: %llu cycles (a cached one: %llu); it reads back "
      "%#llx\n",
      (unsigned long long)uncached_store, (unsigned long long)cached_store,
      (unsigned long long)words[1]);
  const int as_expected = refused == ZX_ERR_BAD_STATE && read == ZX_ERR_BAD_STATE &&
                          words[1] == 0x1234 && uncached_store > cached_store;
  return as_expected ? 0 : 1;
}
