#pragma once

#include <cstdint>
#include <string>
#include <tlm>

#include "sim/stats/statistics.h"

namespace zxvp {

// Reads, writes and bytes moved through one place (a target, a bus port). Held by pointer in
// DMI grants so that an initiator that bypasses the place with DMI still counts its traffic
// there: statistics do not depend on `sim.dmi`.
class TrafficCounters {
 public:
  TrafficCounters(StatisticsRegistry& registry, const std::string& prefix);

  void record(tlm::tlm_command command, uint64_t length_bytes, uint64_t transactions = 1) {
    if (command == tlm::TLM_READ_COMMAND) {
      reads_.add(transactions);
      bytes_read_.add(length_bytes);
    } else if (command == tlm::TLM_WRITE_COMMAND) {
      writes_.add(transactions);
      bytes_written_.add(length_bytes);
    }
  }

 private:
  Counter& reads_;
  Counter& writes_;
  Counter& bytes_read_;
  Counter& bytes_written_;
};

}  // namespace zxvp
