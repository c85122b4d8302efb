// The differential test's program, the same source for zxvp (zxvp-cc, picolibc) and for Linux
// (riscv64-linux-gnu-gcc -static, glibc, run by qemu-riscv64): runs every generated sequence on
// registers and scratch memory set from its index, and prints what it left, a line a sequence:
// the index, x1 and x3..x31 in hex, and a hash of the scratch memory. The sequences get
// memory + 256 as their scratch memory, and leave their registers in memory[0, 256).
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*Sequence)(uint64_t* registers, uint8_t* scratch);
extern const Sequence zxvp_sequences[];
extern const uint32_t zxvp_sequence_count;

static uint8_t memory[256 + 2048] __attribute__((aligned(64)));

static uint64_t next(uint64_t* state) {
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state;
}

// Values that break arithmetic, half the time; random bits otherwise.
static uint64_t value(uint64_t* state) {
  static const uint64_t edges[] = {0,
                                   1,
                                   UINT64_MAX,
                                   UINT64_C(0x8000000000000000),
                                   UINT64_C(0x7fffffffffffffff),
                                   UINT64_C(0xffffffff80000000),
                                   UINT64_C(0x7fffffff),
                                   UINT64_C(0x80000000),
                                   UINT64_C(0xffffffff),
                                   31,
                                   32,
                                   63,
                                   64};
  const uint64_t bits = next(state);
  return (bits & 1) ? edges[(bits >> 1) % (sizeof edges / sizeof edges[0])] : next(state);
}

int main(void) {
  for (uint32_t index = 0; index < zxvp_sequence_count; ++index) {
    uint64_t state = UINT64_C(0x9e3779b97f4a7c15) ^ ((uint64_t)index << 17) ^ index;
    uint64_t registers[32];
    for (int r = 0; r < 32; ++r)
      registers[r] = value(&state);
    uint8_t* scratch = memory + 256;
    for (int i = 0; i < 2048; ++i)
      scratch[i] = (uint8_t)next(&state);
    zxvp_sequences[index](registers, scratch);
    uint64_t results[32];
    memcpy(results, memory, sizeof results);
    printf("%" PRIu32, index);
    for (int r = 1; r < 32; ++r) {
      if (r != 2) printf(" %" PRIx64, results[r]);
    }
    uint64_t hash = UINT64_C(0xcbf29ce484222325);
    for (int i = 0; i < 2048; ++i)
      hash = (hash ^ scratch[i]) * UINT64_C(0x100000001b3);
    printf(" m%016" PRIx64 "\n", hash);
  }
  return 0;
}
