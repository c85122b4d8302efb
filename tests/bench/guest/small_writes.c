// The system-call-bound guest of `zxvp bench` (guest_small_writes_per_s): `small_writes CALLS`
// zx_vmo_write calls of 64 bytes into a committed page, one after the other.
#include <stdio.h>
#include <stdlib.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>

int main(int argc, char** argv) {
  const long calls = argc > 1 ? atol(argv[1]) : 1000;
  static unsigned char buffer[64] = {1, 2, 3};
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_status_t status = zx_vmo_create(4096, 0, &vmo);
  if (status == ZX_OK) status = zx_vmo_write(vmo, buffer, 0, sizeof buffer);
  for (long i = 0; i < calls && status == ZX_OK; ++i)
    status = zx_vmo_write(vmo, buffer, 64, sizeof buffer);
  if (status != ZX_OK) {
    printf("small_writes: %s\n", zx_status_get_string(status));
    return 1;
  }
  return 0;
}
