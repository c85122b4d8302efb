// A snapshot's fork-on-write, seen from user code: a child VMO shares its parent's pages until
// one side writes; the first write into a shared page copies it (a page fault for a store, the
// commit phase of zx_vmo_write), the next ones do not.
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

static zx_vaddr_t map(zx_handle_t vmo, uint64_t size) {
  zx_vaddr_t address = 0;
  const zx_status_t status = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0,
                                         vmo, 0, size, &address);
  if (status != ZX_OK) printf("zx_vmar_map: %s\n", zx_status_get_string(status));
  return address;
}

int main(void) {
  const uint64_t size = 4 * 4096;
  zx_handle_t parent = ZX_HANDLE_INVALID;
  zx_handle_t child = ZX_HANDLE_INVALID;
  if (zx_vmo_create(size, 0, &parent) != ZX_OK) return 1;
  char* parent_bytes = (char*)map(parent, size);
  for (uint64_t page = 0; page < 4; ++page)
    snprintf(parent_bytes + page * 4096, 64, "parent page %llu", (unsigned long long)page);
  zx_status_t status = zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, size, &child);
  printf("zx_vmo_create_child(ZX_VMO_CHILD_SNAPSHOT): %s\n", zx_status_get_string(status));
  char* child_bytes = (char*)map(child, size);
  printf("the child reads \"%s\" (a page shared with the parent)\n", child_bytes);

  uint64_t start = cycles_now();
  child_bytes[0] = 'C';
  const uint64_t first_store = cycles_now() - start;
  start = cycles_now();
  child_bytes[1] = 'H';
  const uint64_t second_store = cycles_now() - start;
  printf("first store into the shared page: %llu cycles (a page fault: the page is copied)\n",
         (unsigned long long)first_store);
  printf("second store: %llu cycles\n", (unsigned long long)second_store);

  static char message[4096];
  memset(message, 'w', sizeof message);
  const uint64_t own = rdcycle_cost();
  uint64_t first_write = 0;
  uint64_t second_write = 0;
  status = timed_vmo_write(child, message, 4096, sizeof message, &first_write);
  if (status == ZX_OK)
    status = timed_vmo_write(child, message, 4096, sizeof message, &second_write);
  printf(
      "zx_vmo_write of 4KiB into the child's second page: %s, %llu cycles (fork-on-write), "
      "then %llu\n",
      zx_status_get_string(status), (unsigned long long)(first_write - own),
      (unsigned long long)(second_write - own));
  printf("the parent still reads \"%s\" and \"%s\"; the child \"%.16s\" and \"%.4s...\"\n",
         parent_bytes, parent_bytes + 4096, child_bytes, child_bytes + 4096);
  const int as_expected = strcmp(parent_bytes, "parent page 0") == 0 &&
                          strcmp(parent_bytes + 4096, "parent page 1") == 0 &&
                          memcmp(child_bytes, "CHrent page 0", 14) == 0 &&
                          child_bytes[4096] == 'w' && first_store > 10 * second_store &&
                          first_write > second_write;
  return as_expected ? 0 : 1;
}
