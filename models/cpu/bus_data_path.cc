#include "models/cpu/bus_data_path.h"

#include <algorithm>
#include <bit>

namespace zxvp {

BusDataPath::BusDataPath(MemoryPort& port, uint64_t line_bytes, uint64_t register_bytes)
    : port_(port), line_bytes_(line_bytes), register_bytes_(register_bytes) {}

tlm::tlm_response_status BusDataPath::access(tlm::tlm_command command, uint64_t physical_address,
                                             uint8_t* data, uint64_t length_bytes,
                                             MemoryType memory_type, sc_core::sc_time& delay) {
  const bool merges_into_lines =
      memory_type == MemoryType::cached ||
      (memory_type == MemoryType::write_combining && command == tlm::TLM_WRITE_COMMAND);
  const uint64_t block = merges_into_lines ? line_bytes_ : register_bytes_;
  return command == tlm::TLM_READ_COMMAND
             ? port_.read_blocks(physical_address, data, length_bytes, block, delay)
             : port_.write_blocks(physical_address, data, length_bytes, block, delay);
}

tlm::tlm_response_status BusDataPath::charge_cached(tlm::tlm_command command,
                                                    uint64_t physical_address,
                                                    uint64_t length_bytes,
                                                    sc_core::sc_time& delay) {
  const uint64_t end = physical_address + length_bytes;
  for (uint64_t at = physical_address; at < end;) {
    const uint64_t piece = std::min(end, (at / line_bytes_ + 1) * line_bytes_) - at;
    if (const auto status = port_.charge(command, at, piece, delay);
        status != tlm::TLM_OK_RESPONSE) {
      return status;
    }
    at += piece;
  }
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status BusDataPath::charge_zero(uint64_t physical_address, uint64_t length_bytes,
                                                  sc_core::sc_time& delay) {
  // With no cache, zeroing costs what the line writes of a cached store cost.
  return charge_cached(tlm::TLM_WRITE_COMMAND, physical_address, length_bytes, delay);
}

tlm::tlm_response_status BusDataPath::fill_line(uint64_t line_address, sc_core::sc_time& delay) {
  return port_.charge(tlm::TLM_READ_COMMAND, line_address, line_bytes_, delay);
}

tlm::tlm_response_status BusDataPath::write_back_line(uint64_t line_address,
                                                      sc_core::sc_time& delay) {
  return port_.charge(tlm::TLM_WRITE_COMMAND, line_address, line_bytes_, delay);
}

tlm::tlm_response_status BusDataPath::fill_page_lines(uint64_t page_address, uint64_t line_mask,
                                                      sc_core::sc_time& delay) {
  return charge_page_lines(tlm::TLM_READ_COMMAND, page_address, line_mask, delay);
}

tlm::tlm_response_status BusDataPath::write_back_page_lines(uint64_t page_address,
                                                            uint64_t line_mask,
                                                            sc_core::sc_time& delay) {
  return charge_page_lines(tlm::TLM_WRITE_COMMAND, page_address, line_mask, delay);
}

tlm::tlm_response_status BusDataPath::charge_page_lines(tlm::tlm_command command,
                                                        uint64_t page_address, uint64_t line_mask,
                                                        sc_core::sc_time& delay) {
  const uint64_t lines_per_page = kPageBytes / line_bytes_;
  const uint64_t whole_page =
      lines_per_page == 64 ? ~uint64_t{0} : (uint64_t{1} << lines_per_page) - 1;
  if (line_mask == whole_page) {
    return port_.charge_lines(command, page_address, lines_per_page, line_bytes_, delay);
  }
  // Every line of a page costs the same in closed form: one product for all of them.
  if (port_.charges_in_closed_form(page_address, lines_per_page * line_bytes_)) {
    return port_.charge_lines(command, page_address,
                              static_cast<uint64_t>(std::popcount(line_mask)), line_bytes_, delay);
  }
  for (uint64_t line = 0; line < lines_per_page; ++line) {
    if (((line_mask >> line) & 1) == 0) continue;
    if (const auto status =
            port_.charge(command, page_address + line * line_bytes_, line_bytes_, delay);
        status != tlm::TLM_OK_RESPONSE) {
      return status;
    }
  }
  return tlm::TLM_OK_RESPONSE;
}

bool BusDataPath::charges_in_closed_form(uint64_t physical_address, uint64_t length_bytes) {
  return port_.charges_in_closed_form(physical_address, length_bytes);
}

tlm::tlm_response_status BusDataPath::functional(tlm::tlm_command command,
                                                 uint64_t physical_address, uint8_t* data,
                                                 uint64_t length_bytes) {
  return port_.move(command, physical_address, data, length_bytes);
}

}  // namespace zxvp
