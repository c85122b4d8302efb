#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>

#include "models/mmu/translation.h"

namespace zxvp {

// Where a core's loads and stores go after translation: straight to the bus, or through caches.
// `memory_type` is the page's type from the MMU, so a cache can bypass uncached pages.
class DataPath {
 public:
  virtual ~DataPath() = default;
  virtual tlm::tlm_response_status access(tlm::tlm_command command, uint64_t physical_address,
                                          uint8_t* data, uint64_t length_bytes,
                                          MemoryType memory_type, sc_core::sc_time& delay) = 0;
};

}  // namespace zxvp
