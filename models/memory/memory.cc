#include "models/memory/memory.h"

#include <bit>
#include <cstring>

#include "models/tlm/dmi_grant.h"
#include "models/tlm/unloaded_latency.h"
#include "sim/params/config_error.h"
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
  binding.field("banks", banks,
                UnsignedSpec{"banks",
                             "banks, each with one row open (successive rows go to "
                             "successive banks)",
                             1, 1024});
  binding.field("row_bytes", row_bytes,
                UnsignedSpec{"bytes", "row (page) of a bank, a power of two of at least 4 KiB",
                             4 * KiB, 1 * MiB});
  binding.field("row_miss_ns", row_miss_ns,
                RealSpec{"ns",
                         "added to an access whose bank has another row open (precharge "
                         "and activate: tRP + tRCD)",
                         0.0, 1e6});
  binding.field("host_huge_pages", host_huge_pages,
                BoolSpec{"host speed only: back the memory with the host's 2 MiB pages where it "
                         "grants them (as QEMU backs guest RAM): long copies run faster, but each "
                         "touched 2 MiB costs its whole size in host memory"});
}

Memory::Memory(const sc_core::sc_module_name& name, const MemoryConfig& config,
               StatisticsRegistry& statistics)
    : sc_module(name),
      socket("socket"),
      storage_(config.size, config.host_huge_pages ? SparseStorage::HostPages::huge
                                                   : SparseStorage::HostPages::small),
      controller_(config, statistics, std::string(basename())),
      traffic_(statistics, std::string(basename())),
      debug_accesses_(
          statistics.counter(std::string(basename()) + ".debug_accesses", "debug transport calls")),
      dmi_grants_(statistics.counter(std::string(basename()) + ".dmi_grants",
                                     "direct memory access grants")),
      error_responses_(statistics.counter(std::string(basename()) + ".error_responses",
                                          "accesses refused with an error response")) {
  socket.bind(*this);
  if (!std::has_single_bit(config.row_bytes)) {
    throw ConfigError("memory.row_bytes: " + std::to_string(config.row_bytes) +
                      " is not a power of two");
  }
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
  } else if (command == tlm::TLM_READ_COMMAND) {
    if (enables == nullptr) {
      std::memcpy(data, host, length);
    } else {
      for (uint64_t i = 0; i < length; ++i) {
        if (enables[i % enable_length] == TLM_BYTE_ENABLED) data[i] = host[i];
      }
    }
  }
  if (command == tlm::TLM_READ_COMMAND || command == tlm::TLM_WRITE_COMMAND) {
    const Ticks now = to_ticks(sc_core::sc_time_stamp());
    const Span done = controller_.serve(command, address, length, {now + to_ticks(delay), 0, 1});
    delay = to_time(done.last - now);
    if (auto* unloaded = payload.get_extension<UnloadedLatency>()) {
      unloaded->ticks += controller_.unloaded_latency(command, length);
    }
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
  dmi.set_read_latency(to_time(controller_.unloaded_latency(tlm::TLM_READ_COMMAND, 0)));
  dmi.set_write_latency(to_time(controller_.unloaded_latency(tlm::TLM_WRITE_COMMAND, 0)));
  if (DmiGrant* grant = payload.get_extension<DmiGrant>()) {
    grant->controller = &controller_;
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
