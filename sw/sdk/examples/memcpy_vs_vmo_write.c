// Moving bytes in user space against asking the kernel: memcpy between two buffers of the
// process (picolibc's, a byte loop), a copy loop of 64-bit words, and zx_vmo_write of the same
// bytes into a VMO, at the same sizes, all warm (pages committed and mapped, each copy made once
// before), timed with rdcycle.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>

#include "cycles.h"

static uint64_t cycles_now(void) {
  uint64_t now;
  __asm__ volatile("rdcycle %0" : "=r"(now)::"memory");
  return now;
}

// Kept a loop: GCC would otherwise turn it into a call to memcpy.
__attribute__((noinline, optimize("no-tree-loop-distribute-patterns"))) static void copy_words(
    uint64_t* destination, const uint64_t* source, uint64_t count) {
  for (uint64_t i = 0; i < count; ++i)
    destination[i] = source[i];
}

int main(void) {
  const uint64_t largest = 4u << 20;
  unsigned char* source = malloc(largest);
  unsigned char* destination = malloc(largest);
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  if (source == NULL || destination == NULL || zx_vmo_create(largest, 0, &vmo) != ZX_OK) {
    printf("no memory\n");
    return 1;
  }
  memset(source, 0x5a, largest);
  memset(destination, 0, largest);
  const uint64_t own = rdcycle_cost();
  printf("%10s %16s %16s %16s\n", "size", "memcpy cycles", "u64 loop cycles", "vmo_write cycles");
  for (uint64_t size = 64; size <= largest; size *= 4) {
    uint64_t copy = 0;
    for (int round = 0; round < 2; ++round) {  // the second round is warm
      const uint64_t start = cycles_now();
      memcpy(destination, source, size);
      copy = cycles_now() - start - own;
    }
    uint64_t words = 0;
    for (int round = 0; round < 2; ++round) {
      const uint64_t start = cycles_now();
      copy_words((uint64_t*)destination, (const uint64_t*)source, size / 8);
      words = cycles_now() - start - own;
    }
    uint64_t write = 0;
    for (int round = 0; round < 2; ++round) {
      const zx_status_t status = timed_vmo_write(vmo, source, 0, size, &write);
      if (status != ZX_OK) {
        printf("zx_vmo_write: %s\n", zx_status_get_string(status));
        return 1;
      }
      write -= own;
    }
    if (memcmp(destination, source, size) != 0) {
      printf("memcpy lost bytes at %llu\n", (unsigned long long)size);
      return 1;
    }
    printf("%10llu %16llu %16llu %16llu\n", (unsigned long long)size, (unsigned long long)copy,
           (unsigned long long)words, (unsigned long long)write);
  }
  return 0;
}
