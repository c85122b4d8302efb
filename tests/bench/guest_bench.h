#pragma once

#include <cstddef>

namespace zxvp {

class System;

// The guest figures of `zxvp bench`, medians of interleaved runs; negative when a program could
// not be read.
struct GuestBenchFigures {
  double mips = -1;                // compute.c: guest instructions per host second, millions
  double small_writes_per_s = -1;  // small_writes.c: 64 B zx_vmo_write calls per host second
};

// Runs the two bench guests on `system`, `repeat` times each, alternately, from the calling
// SystemC thread (which must hold the system's core); each run loads the program into a new
// process and runs it to its exit, and its host time covers both.
GuestBenchFigures measure_guests(System& system, size_t repeat);

}  // namespace zxvp
