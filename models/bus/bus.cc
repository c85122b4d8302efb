#include "models/bus/bus.h"

#include <algorithm>
#include <sstream>

#include "models/tlm/dmi_grant.h"
#include "models/tlm/unloaded_latency.h"
#include "sim/log/logger.h"
#include "sim/time/clock.h"

namespace zxvp {

void BusConfig::bind(ParameterBinding& binding) {
  binding.field("clock_mhz", clock_mhz, UnsignedSpec{"MHz", "interconnect clock", 1, 100'000});
  binding.field(
      "hop_latency_cycles", hop_latency_cycles,
      UnsignedSpec{"cycles", "interconnect cycles added to every transaction", 0, 1'000'000});
}

Bus::Bus(const sc_core::sc_module_name& name, const BusConfig& config,
         StatisticsRegistry& statistics)
    : sc_module(name),
      target_socket("target_socket"),
      initiator_socket("initiator_socket"),
      statistics_(statistics),
      hop_latency_(Clock(config.clock_mhz).cycles(config.hop_latency_cycles)),
      decode_errors_(statistics.counter(std::string(basename()) + ".decode_errors",
                                        "transactions to an address no target claims")),
      dmi_invalidations_(statistics.counter(std::string(basename()) + ".dmi_invalidations",
                                            "DMI invalidations forwarded to initiators")) {
  target_socket.register_b_transport(this, &Bus::b_transport);
  target_socket.register_nb_transport_fw(this, &Bus::nb_transport_fw);
  target_socket.register_get_direct_mem_ptr(this, &Bus::get_direct_mem_ptr);
  target_socket.register_transport_dbg(this, &Bus::transport_dbg);
  initiator_socket.register_nb_transport_bw(this, &Bus::nb_transport_bw);
  initiator_socket.register_invalidate_direct_mem_ptr(this, &Bus::invalidate_direct_mem_ptr);
}

void Bus::attach(tlm::tlm_target_socket<>& target, uint64_t base, uint64_t size_bytes,
                 const std::string& target_name) {
  auto hex = [](uint64_t value) {
    std::ostringstream out;
    out << "0x" << std::hex << value;
    return out.str();
  };
  if (size_bytes == 0 || base + size_bytes - 1 < base) {
    throw ConfigError("bus: target '" + target_name + "' has an empty or wrapping range at " +
                      hex(base));
  }
  for (const Mapping& mapping : mappings_) {
    if (base < mapping.base + mapping.size_bytes && mapping.base < base + size_bytes) {
      throw ConfigError("bus: target '" + target_name + "' at [" + hex(base) + ", " +
                        hex(base + size_bytes) + ") overlaps '" + mapping.name + "' at [" +
                        hex(mapping.base) + ", " + hex(mapping.base + mapping.size_bytes) + ")");
    }
  }
  const int port = static_cast<int>(mappings_.size());
  initiator_socket.bind(target);
  mappings_.push_back({base, size_bytes, port, target_name,
                       std::make_unique<TrafficCounters>(
                           statistics_, std::string(basename()) + ".to_" + target_name)});
  std::sort(mappings_.begin(), mappings_.end(),
            [](const Mapping& a, const Mapping& b) { return a.base < b.base; });
}

const Bus::Mapping* Bus::decode(uint64_t address, uint64_t length_bytes) const {
  auto it = std::upper_bound(mappings_.begin(), mappings_.end(), address,
                             [](uint64_t value, const Mapping& m) { return value < m.base; });
  if (it == mappings_.begin()) return nullptr;
  const Mapping& mapping = *std::prev(it);
  const uint64_t offset = address - mapping.base;
  if (offset >= mapping.size_bytes || length_bytes > mapping.size_bytes - offset) return nullptr;
  return &mapping;
}

void Bus::b_transport(int, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  const uint64_t address = payload.get_address();
  const Mapping* mapping = decode(address, payload.get_data_length());
  delay += hop_latency_;
  if (mapping == nullptr) {
    decode_errors_.add();
    ZXVP_LOG_AT(LogLevel::debug, name(), sc_core::sc_time_stamp() + delay)
        << "no target at 0x" << std::hex << address;
    payload.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (auto* unloaded = payload.get_extension<UnloadedLatency>()) {
    unloaded->ticks += to_ticks(hop_latency_);
  }
  payload.set_address(address - mapping->base);
  initiator_socket[mapping->port]->b_transport(payload, delay);
  payload.set_address(address);
  if (payload.get_response_status() == tlm::TLM_OK_RESPONSE) {
    mapping->traffic->record(payload.get_command(), payload.get_data_length());
  }
}

tlm::tlm_sync_enum Bus::nb_transport_fw(int initiator, tlm::tlm_generic_payload& payload,
                                        tlm::tlm_phase& phase, sc_core::sc_time& delay) {
  // Loosely timed only: complete the transaction in the forward call.
  b_transport(initiator, payload, delay);
  phase = tlm::END_RESP;
  return tlm::TLM_COMPLETED;
}

bool Bus::get_direct_mem_ptr(int, tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi) {
  const uint64_t address = payload.get_address();
  const Mapping* mapping = decode(address, 1);
  if (mapping == nullptr) return false;
  payload.set_address(address - mapping->base);
  const bool granted = initiator_socket[mapping->port]->get_direct_mem_ptr(payload, dmi);
  payload.set_address(address);
  if (!granted) return false;

  // Translate the target's local range to ours, clipped to the window the target is mapped in.
  uint64_t start = dmi.get_start_address();
  uint64_t end = std::min<uint64_t>(dmi.get_end_address(), mapping->size_bytes - 1);
  uint8_t* pointer = dmi.get_dmi_ptr();
  dmi.set_start_address(mapping->base + start);
  dmi.set_end_address(mapping->base + end);
  dmi.set_dmi_ptr(pointer);
  dmi.set_read_latency(dmi.get_read_latency() + hop_latency_);
  dmi.set_write_latency(dmi.get_write_latency() + hop_latency_);
  if (DmiGrant* grant = payload.get_extension<DmiGrant>()) {
    grant->hop_ticks += to_ticks(hop_latency_);
    grant->address_offset += mapping->base;
    grant->add_counters(mapping->traffic.get());
  }
  return true;
}

unsigned int Bus::transport_dbg(int, tlm::tlm_generic_payload& payload) {
  const uint64_t address = payload.get_address();
  const Mapping* mapping = decode(address, 1);
  if (mapping == nullptr) return 0;
  const uint64_t room = mapping->size_bytes - (address - mapping->base);
  const unsigned int requested = payload.get_data_length();
  payload.set_data_length(static_cast<unsigned int>(std::min<uint64_t>(requested, room)));
  payload.set_address(address - mapping->base);
  const unsigned int done = initiator_socket[mapping->port]->transport_dbg(payload);
  payload.set_address(address);
  payload.set_data_length(requested);
  return done;
}

tlm::tlm_sync_enum Bus::nb_transport_bw(int, tlm::tlm_generic_payload&, tlm::tlm_phase&,
                                        sc_core::sc_time&) {
  // Every forward transaction completes in its forward call; nothing comes back this way.
  return tlm::TLM_COMPLETED;
}

void Bus::invalidate_direct_mem_ptr(int target, sc_dt::uint64 start, sc_dt::uint64 end) {
  const auto it = std::find_if(mappings_.begin(), mappings_.end(),
                               [target](const Mapping& m) { return m.port == target; });
  if (it == mappings_.end() || start >= it->size_bytes) return;
  const uint64_t global_start = it->base + start;
  const uint64_t global_end = it->base + std::min<uint64_t>(end, it->size_bytes - 1);
  dmi_invalidations_.add();
  for (unsigned int i = 0; i < target_socket.size(); ++i) {
    target_socket[i]->invalidate_direct_mem_ptr(global_start, global_end);
  }
}

}  // namespace zxvp
