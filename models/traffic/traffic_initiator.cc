#include "models/traffic/traffic_initiator.h"

namespace zxvp {

TrafficInitiator::TrafficInitiator(const sc_core::sc_module_name& name, bool dmi_enabled)
    : sc_module(name), port("socket", dmi_enabled) {
  quantum_.reset();
}

tlm::tlm_response_status TrafficInitiator::finish(tlm::tlm_response_status status) {
  if (quantum_.need_sync()) quantum_.sync();
  return status;
}

tlm::tlm_response_status TrafficInitiator::write(uint64_t address, const void* data,
                                                 uint64_t length_bytes) {
  sc_core::sc_time offset = quantum_.get_local_time();
  const auto status = port.write(address, data, length_bytes, offset);
  quantum_.set(offset);
  return finish(status);
}

tlm::tlm_response_status TrafficInitiator::read(uint64_t address, void* data,
                                                uint64_t length_bytes) {
  sc_core::sc_time offset = quantum_.get_local_time();
  const auto status = port.read(address, data, length_bytes, offset);
  quantum_.set(offset);
  return finish(status);
}

void TrafficInitiator::sync() {
  quantum_.sync();
}

}  // namespace zxvp
