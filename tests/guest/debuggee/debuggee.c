// The program the GDB tests debug (built with zxvp-cc -g -O0): a function with a local to break
// in, a global it updates, a zx_vmo_write to step over, a buffer zx_vmo_read fills (a
// watchpoint), and on request a store to an unmapped page (SIGSEGV), an ebreak of its own
// (SIGTRAP, then on) or a loop until a debugger clears keep_spinning. Exits with 3.
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

int total = 0;
char filled_by_kernel[32];
volatile int keep_spinning = 1;

int accumulate(int n) {
  int local_sum = 0;
  for (int i = 1; i <= n; ++i)
    local_sum += i;
  total += local_sum;
  return local_sum;
}

int main(int argc, char** argv) {
  const char message[] = "written by the kernel";
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_vmo_create(4096, 0, &vmo);
  const int sum = accumulate(10);
  zx_status_t status = zx_vmo_write(vmo, message, 0, sizeof message);
  status |= zx_vmo_read(vmo, filled_by_kernel, 0, sizeof message);
  if (argc > 1 && strcmp(argv[1], "fault") == 0) {
    *(volatile int*)0x1000 = sum;
  }
  if (argc > 1 && strcmp(argv[1], "ebreak") == 0) {
    __asm__ volatile("ebreak");
  }
  if (argc > 1 && strcmp(argv[1], "spin") == 0) {
    while (keep_spinning) {
    }
  }
  printf("%s: %d, status %d\n", filled_by_kernel, sum, status);
  return 3;
}
