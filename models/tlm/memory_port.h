#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/tlm/access_timing.h"
#include "models/tlm/dmi_grant.h"

namespace zxvp {

// The initiator side of a loosely timed TLM-2.0 connection, for every model that issues memory
// accesses (the CPU's memory path, the DMA engine, test traffic). An access either goes through
// b_transport with one reused payload, or, when the target has granted DMI for the address, is a
// host memcpy that charges the same time (the grant's latency and bandwidth) and records the
// same statistics. DMI grants are cached and dropped on invalidation.
class MemoryPort : public tlm::tlm_bw_transport_if<> {
 public:
  MemoryPort(const char* socket_name, bool dmi_enabled);
  MemoryPort(const MemoryPort&) = delete;
  MemoryPort& operator=(const MemoryPort&) = delete;

  tlm::tlm_initiator_socket<> socket;

  // Blocking accesses issued `delay` after the caller's SystemC time; the access's cost is added
  // to `delay` (the caller's quantum keeper decides when to synchronise).
  tlm::tlm_response_status read(uint64_t address, void* data, uint64_t length_bytes,
                                sc_core::sc_time& delay);
  tlm::tlm_response_status write(uint64_t address, const void* data, uint64_t length_bytes,
                                 sc_core::sc_time& delay);

  // The same bytes as a sequence of transactions that each stay inside one aligned block of
  // `block_bytes` (a power of two: a cache line, a DMA burst), issued in address order; stops at
  // the first error. Timing and statistics are those of the sequence; under DMI the host does
  // one memcpy and the time is summed in closed form.
  tlm::tlm_response_status read_blocks(uint64_t address, void* data, uint64_t length_bytes,
                                       uint64_t block_bytes, sc_core::sc_time& delay);
  tlm::tlm_response_status write_blocks(uint64_t address, const void* data, uint64_t length_bytes,
                                        uint64_t block_bytes, sc_core::sc_time& delay);

  // Memory-to-memory copy as a core makes it: the source read as read_blocks() would, then the
  // destination written as write_blocks() would, with the same time and statistics; under DMI
  // the host does one memmove.
  tlm::tlm_response_status copy_lines(uint64_t source, uint64_t destination, uint64_t length_bytes,
                                      uint64_t line_bytes, sc_core::sc_time& delay);

  // Memory-to-memory copy as a DMA engine makes it: blocks of `block_bytes` counted from the
  // start of the copy, each read from the source then written to the destination, each costing
  // its read, its write and `block_overhead`. Stops at the first error, after the blocks before
  // it are written. When both ranges are granted DMI (and do not overlap) the host does one
  // memcpy and the time is summed in closed form.
  struct CopyResult {
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    bool failed_on_write = false;
    uint64_t bytes_done = 0;
  };
  CopyResult copy_blocks(uint64_t source, uint64_t destination, uint64_t length_bytes,
                         uint64_t block_bytes, const sc_core::sc_time& block_overhead,
                         sc_core::sc_time& delay);

  // One transaction's time and statistics without moving bytes, for timing models of caches
  // whose data lives in memory: a write carries what memory already holds.
  tlm::tlm_response_status charge(tlm::tlm_command command, uint64_t address, uint64_t length_bytes,
                                  sc_core::sc_time& delay);
  // `line_count` such transactions of `line_bytes` each on consecutive lines from `address`;
  // stops at the first error. Closed form when the range is granted DMI with timing.
  tlm::tlm_response_status charge_lines(tlm::tlm_command command, uint64_t address,
                                        uint64_t line_count, uint64_t line_bytes,
                                        sc_core::sc_time& delay);
  // True when reads and writes of the whole range are granted DMI with timing: charging them
  // cannot fail and costs no transaction.
  bool charges_in_closed_form(uint64_t address, uint64_t length_bytes) const;
  // Makes bytes zero with no time and no statistics. Under DMI, bytes that already read zero are
  // not written, so that the host does not back untouched memory with pages.
  tlm::tlm_response_status zero(uint64_t address, uint64_t length_bytes);
  // Moves bytes with no time and no statistics (DMI when granted, else debug transport).
  tlm::tlm_response_status move(tlm::tlm_command command, uint64_t address, uint8_t* data,
                                uint64_t length_bytes);

  // Moves [source, + length_bytes) to `destination` as memmove does, with no time and no
  // statistics (one host memmove when both ranges are granted DMI).
  tlm::tlm_response_status move_within(uint64_t source, uint64_t destination,
                                       uint64_t length_bytes);

  // Debug transport: no time, no statistics. Returns the bytes the target transferred.
  uint64_t debug_read(uint64_t address, void* data, uint64_t length_bytes);
  uint64_t debug_write(uint64_t address, const void* data, uint64_t length_bytes);

  // The host address of [address, + length_bytes) when both reads and writes of it are granted
  // DMI (asking for a grant when there is none yet), else null. For initiators that keep host
  // pointers (a hart's TLBs): a pointer stays valid until dmi_invalidations() changes.
  uint8_t* dmi_pointer(uint64_t address, uint64_t length_bytes);
  uint64_t dmi_invalidations() const { return dmi_invalidations_; }

  bool dmi_enabled() const { return dmi_enabled_; }
  // Transactions sent through b_transport so far (those that may reach a device model).
  uint64_t transport_count() const { return transport_count_; }
  size_t dmi_region_count() const { return dmi_regions_.size(); }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& payload, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override;

 private:
  struct DmiRegion {
    uint64_t start = 0;
    uint64_t end = 0;  // inclusive, as in tlm_dmi
    uint8_t* pointer = nullptr;
    bool readable = false;
    bool writable = false;
    sc_core::sc_time read_latency;
    sc_core::sc_time write_latency;
    DmiGrant grant;
  };

  tlm::tlm_response_status transport(tlm::tlm_command command, uint64_t address, uint8_t* data,
                                     uint64_t length_bytes, sc_core::sc_time& delay);
  // Time of `length_bytes` at `address` as transactions inside aligned blocks, closed form.
  static sc_core::sc_time blocks_time(const AccessTiming& timing, bool write, uint64_t address,
                                      uint64_t length_bytes, uint64_t block_bytes,
                                      uint64_t* transactions);
  tlm::tlm_response_status transport_blocks(tlm::tlm_command command, uint64_t address,
                                            uint8_t* data, uint64_t length_bytes,
                                            uint64_t block_bytes, sc_core::sc_time& delay);
  const DmiRegion* find_dmi(uint64_t address, uint64_t length_bytes, bool write) const;
  void request_dmi(uint64_t address);
  uint64_t debug_transport(tlm::tlm_command command, uint64_t address, uint8_t* data,
                           uint64_t length_bytes);

  bool dmi_enabled_;
  uint64_t transport_count_ = 0;
  uint64_t dmi_invalidations_ = 0;
  tlm::tlm_generic_payload payload_;
  std::vector<uint8_t> bounce_;
  std::vector<uint8_t> scratch_;
  std::vector<DmiRegion> dmi_regions_;
};

}  // namespace zxvp
