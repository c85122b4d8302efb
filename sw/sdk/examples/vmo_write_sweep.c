// What zx_vmo_write costs, seen from user code: each size from 64 B to 4 MiB written into a
// fresh VMO (cold: its pages are committed by the write) and again (warm), timed with rdcycle
// around the ecall. The figures are the kernel model's cycles for the same calls, exactly: the
// core has one cycle counter for instructions and system calls.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>

#include "cycles.h"

int main(void) {
  const uint64_t largest = 4u << 20;
  unsigned char* buffer = malloc(largest);
  if (buffer == NULL) {
    printf("no memory for a %llu-byte buffer\n", (unsigned long long)largest);
    return 1;
  }
  // Touch every page first: the buffer's own page faults are not the call's.
  memset(buffer, 0x5a, largest);
  const uint64_t own = rdcycle_cost();
  printf(
      "zx_vmo_write from user code (cycles of the ecall, from rdcycle; its own %llu taken "
      "off)\n\n",
      (unsigned long long)own);
  printf("%10s %14s %14s\n", "size", "cold cycles", "warm cycles");
  for (uint64_t size = 64; size <= largest; size *= 4) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    zx_status_t status = zx_vmo_create(size, 0, &vmo);
    if (status != ZX_OK) {
      printf("zx_vmo_create: %s\n", zx_status_get_string(status));
      return 1;
    }
    uint64_t cold = 0;
    uint64_t warm = 0;
    status = timed_vmo_write(vmo, buffer, 0, size, &cold);
    if (status == ZX_OK) status = timed_vmo_write(vmo, buffer, 0, size, &warm);
    if (status != ZX_OK) {
      printf("zx_vmo_write: %s\n", zx_status_get_string(status));
      return 1;
    }
    char label[16];
    if (size < 1024) {
      snprintf(label, sizeof label, "%llu B", (unsigned long long)size);
    } else if (size < (1u << 20)) {
      snprintf(label, sizeof label, "%lluKiB", (unsigned long long)(size >> 10));
    } else {
      snprintf(label, sizeof label, "%lluMiB", (unsigned long long)(size >> 20));
    }
    printf("%10s %14llu %14llu\n", label, (unsigned long long)(cold - own),
           (unsigned long long)(warm - own));
    zx_handle_close(vmo);
  }
  free(buffer);
  return 0;
}
