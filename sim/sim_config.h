#pragma once

#include <cstdint>

#include "sim/params/parameter_set.h"

namespace zxvp {

// Simulation-wide knobs under `sim.`: how initiators trade speed for nothing (DMI does not change
// timing) and how far they may run ahead of SystemC time.
struct SimConfig {
  bool dmi = true;
  uint64_t quantum_ns = 1000;

  void bind(ParameterBinding& binding);
};

}  // namespace zxvp
