#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/tlm/memory_port.h"

namespace zxvp {

// A bus master that issues reads and writes on behalf of a test or a workload thread, with
// temporal decoupling: accesses accumulate local time and the thread synchronises with SystemC
// only when the global quantum is used up (or on sync()).
class TrafficInitiator : public sc_core::sc_module {
 public:
  MemoryPort port;

  TrafficInitiator(const sc_core::sc_module_name& name, bool dmi_enabled);

  // Callable from an SC_THREAD only (they may wait for the quantum).
  tlm::tlm_response_status write(uint64_t address, const void* data, uint64_t length_bytes);
  tlm::tlm_response_status read(uint64_t address, void* data, uint64_t length_bytes);
  void sync();

  // SystemC time plus the local offset not yet synchronised.
  sc_core::sc_time local_time() const { return quantum_.get_current_time(); }

 private:
  tlm::tlm_response_status finish(tlm::tlm_response_status status);

  tlm_utils::tlm_quantumkeeper quantum_;
};

}  // namespace zxvp
