#pragma once

#include <cstdint>

#include "models/cpu/data_path.h"
#include "models/tlm/memory_port.h"

namespace zxvp {

// The bottom of a core's data path: transactions on the bus. Cached accesses and line fills and
// write-backs go out as line-sized transactions; uncached and device accesses as one transaction
// per `register_bytes` (the core's widest load or store); write-combining stores merge into
// line-sized transactions, their loads are uncached.
class BusDataPath : public DataPath {
 public:
  BusDataPath(MemoryPort& port, uint64_t line_bytes, uint64_t register_bytes);

  tlm::tlm_response_status access(tlm::tlm_command command, uint64_t physical_address,
                                  uint8_t* data, uint64_t length_bytes, MemoryType memory_type,
                                  sc_core::sc_time& delay) override;
  tlm::tlm_response_status charge_cached(tlm::tlm_command command, uint64_t physical_address,
                                         uint64_t length_bytes, sc_core::sc_time& delay) override;
  tlm::tlm_response_status charge_zero(uint64_t physical_address, uint64_t length_bytes,
                                       sc_core::sc_time& delay) override;
  tlm::tlm_response_status fill_line(uint64_t line_address, sc_core::sc_time& delay) override;
  tlm::tlm_response_status write_back_line(uint64_t line_address, sc_core::sc_time& delay) override;
  tlm::tlm_response_status fill_page_lines(uint64_t page_address, uint64_t line_mask,
                                           sc_core::sc_time& delay) override;
  tlm::tlm_response_status write_back_page_lines(uint64_t page_address, uint64_t line_mask,
                                                 sc_core::sc_time& delay) override;
  bool keeps_page_lines_apart() const override { return true; }
  bool charges_in_closed_form(uint64_t physical_address, uint64_t length_bytes) override;
  void maintain(CacheMaintenance, uint64_t, uint64_t, sc_core::sc_time&) override {}
  tlm::tlm_response_status functional(tlm::tlm_command command, uint64_t physical_address,
                                      uint8_t* data, uint64_t length_bytes) override;
  uint64_t line_bytes() const { return line_bytes_; }

 private:
  tlm::tlm_response_status charge_page_lines(tlm::tlm_command command, uint64_t page_address,
                                             uint64_t line_mask, sc_core::sc_time& delay);

  MemoryPort& port_;
  uint64_t line_bytes_;
  uint64_t register_bytes_;
};

}  // namespace zxvp
