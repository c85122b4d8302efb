#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>

#include "models/memory/memory_controller.h"
#include "models/memory/sparse_storage.h"
#include "models/tlm/traffic_counters.h"
#include "sim/params/parameter_set.h"
#include "sim/stats/statistics.h"

namespace zxvp {

struct MemoryConfig {
  // Defaults: the `default` platform's memory (platforms/default.yaml says where they come from).
  uint64_t size = 1024ull * 1024 * 1024;
  uint64_t clock_mhz = 1066;
  double read_latency_ns = 40.0;
  double write_latency_ns = 40.0;
  uint64_t bytes_per_cycle = 16;
  uint64_t banks = 16;
  uint64_t row_bytes = 8192;
  double row_miss_ns = 28.0;
  bool host_huge_pages = false;

  void bind(ParameterBinding& binding);
};

// Physical memory as a loosely timed TLM-2.0 target at local addresses [0, size). Sparse (see
// SparseStorage). Timed by its MemoryController (one data bus, banks with open rows): an access
// of N bytes alone costs latency + ceil(N / bytes_per_cycle) memory clock cycles, plus the row
// miss when it opens a row, and waits for the bus behind earlier accesses. Grants DMI over the
// whole memory; the DmiGrant carries the controller and the statistics, so that an initiator
// using DMI is timed and counted exactly as b_transport would time and count it.
// Accesses past the end get TLM_ADDRESS_ERROR_RESPONSE; streaming (width below the length) gets
// TLM_BURST_ERROR_RESPONSE; byte enables are honoured.
class Memory : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_target_socket<> socket;

  Memory(const sc_core::sc_module_name& name, const MemoryConfig& config,
         StatisticsRegistry& statistics);

  uint64_t size_bytes() const { return storage_.size_bytes(); }
  MemoryController& controller() { return controller_; }
  // Host view of the memory for software models that own physical pages (page zeroing on free).
  SparseStorage& storage() { return storage_; }

  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) override;
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& payload, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& payload) override;

 private:
  SparseStorage storage_;
  MemoryController controller_;
  TrafficCounters traffic_;
  Counter& debug_accesses_;
  Counter& dmi_grants_;
  Counter& error_responses_;
};

}  // namespace zxvp
