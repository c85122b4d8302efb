#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <vector>

#include "models/tlm/traffic_counters.h"
#include "sim/params/parameter_set.h"
#include "sim/stats/statistics.h"

namespace zxvp {

struct BusConfig {
  uint64_t clock_mhz = 1000;
  uint64_t hop_latency_cycles = 2;

  void bind(ParameterBinding& binding);
};

// The interconnect: initiators bind to `target_socket`, targets are attached with their address
// range. A transaction is decoded by address, rebased to the target's local address, forwarded,
// and charged one hop latency; an address (or a range that leaves its target) that decodes to
// nothing gets TLM_ADDRESS_ERROR_RESPONSE. DMI grants are translated back to the initiators'
// addresses and carry the hop latency; a target's DMI invalidation reaches every initiator.
// No contention or bus bandwidth limit is modelled: the target's bandwidth is the limit.
class Bus : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Bus> target_socket;
  tlm_utils::multi_passthrough_initiator_socket<Bus> initiator_socket;

  Bus(const sc_core::sc_module_name& name, const BusConfig& config, StatisticsRegistry& statistics);

  // Maps `target` at [base, base + size_bytes). Ranges may not overlap; refused with a
  // ConfigError naming both targets.
  void attach(tlm::tlm_target_socket<>& target, uint64_t base, uint64_t size_bytes,
              const std::string& target_name);

  sc_core::sc_time hop_latency() const { return hop_latency_; }

 private:
  struct Mapping {
    uint64_t base;
    uint64_t size_bytes;
    int port;
    std::string name;
    std::unique_ptr<TrafficCounters> traffic;
  };

  const Mapping* decode(uint64_t address, uint64_t length_bytes) const;

  void b_transport(int initiator, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  tlm::tlm_sync_enum nb_transport_fw(int initiator, tlm::tlm_generic_payload& payload,
                                     tlm::tlm_phase& phase, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int initiator, tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi);
  unsigned int transport_dbg(int initiator, tlm::tlm_generic_payload& payload);
  tlm::tlm_sync_enum nb_transport_bw(int target, tlm::tlm_generic_payload& payload,
                                     tlm::tlm_phase& phase, sc_core::sc_time& delay);
  void invalidate_direct_mem_ptr(int target, sc_dt::uint64 start, sc_dt::uint64 end);

  StatisticsRegistry& statistics_;
  sc_core::sc_time hop_latency_;
  std::vector<Mapping> mappings_;  // sorted by base
  Counter& decode_errors_;
  Counter& dmi_invalidations_;
};

}  // namespace zxvp
