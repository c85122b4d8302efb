#pragma once

#include <cstdint>

#include "models/cpu/data_path.h"
#include "models/tlm/memory_port.h"

namespace zxvp {

// The bottom of a core's data path: transactions on the bus. Cached lines go out as line-sized
// transactions at the times their batch gives (time only: the core moves the bytes); uncached
// and device accesses as one transaction per `register_bytes` (the core's widest load or store),
// write-combining stores merged into line-sized transactions, each waiting for the one before.
class BusDataPath : public DataPath {
 public:
  BusDataPath(MemoryPort& port, uint64_t line_bytes, uint64_t register_bytes);

  LineResult lines(const LineRequest& request) override;
  tlm::tlm_response_status access_uncached(tlm::tlm_command command, uint64_t physical_address,
                                           uint8_t* data, uint64_t length_bytes,
                                           MemoryType memory_type, Ticks& now) override;
  Ticks maintain(CacheMaintenance, uint64_t, uint64_t, Ticks now) override { return now; }
  tlm::tlm_response_status functional(tlm::tlm_command command, uint64_t physical_address,
                                      uint8_t* data, uint64_t length_bytes) override {
    return port_.move(command, physical_address, data, length_bytes);
  }
  // The memory's own queue is settled by its owner (the platform).
  void settle(Ticks) override {}
  Ticks busy_until() const override { return 0; }
  uint64_t line_bytes() const { return line_bytes_; }

 private:
  MemoryPort& port_;
  uint64_t line_bytes_;
  uint64_t register_bytes_;
};

}  // namespace zxvp
