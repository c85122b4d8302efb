#include "models/memory/memory.h"

#include <cstring>

#include "models/tlm/dmi_grant.h"
#include "sim/params/units.h"
#include "sim/time/clock.h"

namespace zxvp {

void MemoryConfig::bind(ParameterBinding& binding) {
  binding.field("size", size,
                UnsignedSpec{"bytes",
                             "physical memory size (sparse: untouched memory costs no "
                             "host memory)",
                             MiB, TiB, 4 * KiB});
  binding.field("clock_mhz", clock_mhz, UnsignedSpec{"MHz", "memory interface clock", 1, 100'000});
  binding.field("read_latency_ns", read_latency_ns,
                RealSpec{"ns", "time to the first byte of a read", 0.0, 1e6});
  binding.field("write_latency_ns", write_latency_ns,
                RealSpec{"ns", "time to accept the first byte of a write", 0.0, 1e6});
  binding.field(
      "bytes_per_cycle", bytes_per_cycle,
      UnsignedSpec{"bytes/cycle", "data moved per memory clock cycle after the latency", 1, 4096});
}

Memory::Memory(const sc_core::sc_module_name& name, const MemoryConfig& config,
               StatisticsRegistry& statistics)
    : sc_module(name),
      socket("socket"),
      storage_(config.size),
      traffic_(statistics, std::string(basename())),
      debug_accesses_(
          statistics.counter(std::string(basename()) + ".debug_accesses", "debug transport calls")),
      dmi_grants_(statistics.counter(std::string(basename()) + ".dmi_grants",
                                     "direct memory access grants")),
      error_responses_(statistics.counter(std::string(basename()) + ".error_responses",
                                          "accesses refused with an error response")) {
  socket.bind(*this);
  const Clock clock(config.clock_mhz);
  timing_.read_latency = time_from_ns(config.read_latency_ns);
  timing_.write_latency = time_from_ns(config.write_latency_ns);
  timing_.beat_period = clock.period();
  timing_.bytes_per_beat = config.bytes_per_cycle;
}

void Memory::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  const uint64_t address = payload.get_address();
  const uint64_t length = payload.get_data_length();
  const tlm::tlm_command command = payload.get_command();
  if (address >= size_bytes() || length > size_bytes() - address) {
    error_responses_.add();
    payload.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (payload.get_streaming_width() < length) {
    error_responses_.add();
    payload.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  uint8_t* host = storage_.data() + address;
  uint8_t* data = payload.get_data_ptr();
  const uint8_t* enables = payload.get_byte_enable_ptr();
  const uint64_t enable_length = payload.get_byte_enable_length();
  if (command == tlm::TLM_WRITE_COMMAND) {
    if (enables == nullptr) {
      std::memcpy(host, data, length);
    } else {
      for (uint64_t i = 0; i < length; ++i) {
        if (enables[i % enable_length] == TLM_BYTE_ENABLED) host[i] = data[i];
      }
    }
    delay += timing_.write_time(length);
  } else if (command == tlm::TLM_READ_COMMAND) {
    if (enables == nullptr) {
      std::memcpy(data, host, length);
    } else {
      for (uint64_t i = 0; i < length; ++i) {
        if (enables[i % enable_length] == TLM_BYTE_ENABLED) data[i] = host[i];
      }
    }
    delay += timing_.read_time(length);
  }
  traffic_.record(command, length);
  payload.set_dmi_allowed(true);
  payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

tlm::tlm_sync_enum Memory::nb_transport_fw(tlm::tlm_generic_payload& payload, tlm::tlm_phase& phase,
                                           sc_core::sc_time& delay) {
  // Loosely timed: complete the whole transaction in the forward call.
  b_transport(payload, delay);
  phase = tlm::END_RESP;
  return tlm::TLM_COMPLETED;
}

bool Memory::get_direct_mem_ptr(tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi) {
  if (payload.get_address() >= size_bytes()) return false;
  dmi.set_dmi_ptr(storage_.data());
  dmi.set_start_address(0);
  dmi.set_end_address(size_bytes() - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(timing_.read_latency);
  dmi.set_write_latency(timing_.write_latency);
  if (DmiGrant* grant = payload.get_extension<DmiGrant>()) {
    grant->timing = timing_;
    grant->timing_valid = true;
    grant->add_counters(&traffic_);
  }
  dmi_grants_.add();
  return true;
}

unsigned int Memory::transport_dbg(tlm::tlm_generic_payload& payload) {
  debug_accesses_.add();
  const uint64_t address = payload.get_address();
  if (address >= size_bytes()) return 0;
  const uint64_t length = std::min<uint64_t>(payload.get_data_length(), size_bytes() - address);
  if (payload.get_command() == tlm::TLM_WRITE_COMMAND) {
    std::memcpy(storage_.data() + address, payload.get_data_ptr(), length);
  } else if (payload.get_command() == tlm::TLM_READ_COMMAND) {
    std::memcpy(payload.get_data_ptr(), storage_.data() + address, length);
  }
  return static_cast<unsigned int>(length);
}

}  // namespace zxvp
