#include "models/cpu/bus_data_path.h"

namespace zxvp {

BusDataPath::BusDataPath(MemoryPort& port, uint64_t line_bytes, uint64_t register_bytes)
    : port_(port), line_bytes_(line_bytes), register_bytes_(register_bytes) {}

LineResult BusDataPath::lines(const LineRequest& request) {
  const MemoryPort::Timed timed = port_.charge_lines(
      request.access == LineAccess::read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND,
      request.page_address, request.line_mask, line_bytes_, request.arrivals);
  return {timed.status, timed.done, timed.unloaded_latency};
}

tlm::tlm_response_status BusDataPath::access_uncached(tlm::tlm_command command,
                                                      uint64_t physical_address, uint8_t* data,
                                                      uint64_t length_bytes, MemoryType memory_type,
                                                      Ticks& now) {
  const bool merges_into_lines =
      memory_type == MemoryType::write_combining && command == tlm::TLM_WRITE_COMMAND;
  const uint64_t block = merges_into_lines ? line_bytes_ : register_bytes_;
  const Ticks systemc_now = to_ticks(sc_core::sc_time_stamp());
  sc_core::sc_time delay = to_time(now - systemc_now);
  const auto status = command == tlm::TLM_READ_COMMAND
                          ? port_.read_blocks(physical_address, data, length_bytes, block, delay)
                          : port_.write_blocks(physical_address, data, length_bytes, block, delay);
  now = systemc_now + to_ticks(delay);
  return status;
}

}  // namespace zxvp
