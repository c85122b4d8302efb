// The compute-bound guest of `zxvp bench` (guest_mips): integer work on data that fits the L1,
// as most of a program's time is spent: a sieve, an insertion sort, a small matrix product and a
// hash, `compute ROUNDS` times; the checksum keeps the compiler from dropping any of it.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { kSieve = 4096, kSorted = 128, kMatrix = 12 };

static uint8_t composite[kSieve];
static int32_t numbers[kSorted];
static int64_t a[kMatrix][kMatrix], b[kMatrix][kMatrix], c[kMatrix][kMatrix];

static uint64_t sieve(void) {
  uint64_t primes = 0;
  for (int i = 0; i < kSieve; ++i)
    composite[i] = 0;
  for (int i = 2; i < kSieve; ++i) {
    if (composite[i]) continue;
    ++primes;
    for (int j = 2 * i; j < kSieve; j += i)
      composite[j] = 1;
  }
  return primes;
}

static uint64_t sort(uint64_t seed) {
  for (int i = 0; i < kSorted; ++i) {
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    numbers[i] = (int32_t)(seed >> 33);
  }
  for (int i = 1; i < kSorted; ++i) {
    const int32_t value = numbers[i];
    int j = i - 1;
    while (j >= 0 && numbers[j] > value) {
      numbers[j + 1] = numbers[j];
      --j;
    }
    numbers[j + 1] = value;
  }
  return (uint64_t)numbers[kSorted / 2];
}

static uint64_t multiply(uint64_t seed) {
  for (int i = 0; i < kMatrix; ++i) {
    for (int j = 0; j < kMatrix; ++j) {
      a[i][j] = (int64_t)((seed + i * 31 + j) % 1000);
      b[i][j] = (int64_t)((seed + j * 17 + i) % 1000);
    }
  }
  for (int i = 0; i < kMatrix; ++i) {
    for (int j = 0; j < kMatrix; ++j) {
      int64_t sum = 0;
      for (int k = 0; k < kMatrix; ++k)
        sum += a[i][k] * b[k][j];
      c[i][j] = sum;
    }
  }
  return (uint64_t)c[kMatrix / 2][kMatrix / 3];
}

static uint64_t hash(const void* data, size_t length, uint64_t seed) {
  const uint8_t* bytes = data;
  uint64_t value = 0xcbf29ce484222325u ^ seed;
  for (size_t i = 0; i < length; ++i)
    value = (value ^ bytes[i]) * 0x100000001b3u;
  return value;
}

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? atol(argv[1]) : 100;
  uint64_t checksum = 0;
  for (long round = 0; round < rounds; ++round) {
    checksum += sieve();
    checksum += sort(checksum + (uint64_t)round);
    checksum += multiply(checksum);
    checksum ^= hash(numbers, sizeof numbers, checksum);
  }
  printf("compute: %ld rounds, checksum %016llx\n", rounds, (unsigned long long)checksum);
  return 0;
}
