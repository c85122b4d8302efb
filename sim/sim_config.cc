#include "sim/sim_config.h"

namespace zxvp {

void SimConfig::bind(ParameterBinding& binding) {
  binding.field("dmi", dmi,
                BoolSpec{"initiators use direct memory access where targets grant it; timing is "
                         "the same either way"});
  binding.field("quantum_ns", quantum_ns,
                UnsignedSpec{"ns",
                             "global quantum: how far an initiator may run ahead of "
                             "SystemC time before it synchronises",
                             1, 1'000'000'000});
}

}  // namespace zxvp
