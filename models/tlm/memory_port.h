#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/tlm/dmi_grant.h"
#include "models/tlm/unloaded_latency.h"
#include "sim/time/batch_timing.h"

namespace zxvp {

// The initiator side of a loosely timed TLM-2.0 connection, for every model that issues memory
// accesses (the CPU's memory path, the DMA engine, test traffic). An access either goes through
// b_transport with one reused payload, or, when the target has granted DMI for the address, is a
// host memcpy timed by the grant's timing model (the memory's controller: the same bus and rows
// that b_transport would use) and counted in the same statistics. Batches of accesses whose issue
// times are evenly spaced are timed in closed form under DMI. DMI grants are cached and dropped
// on invalidation.
class MemoryPort : public tlm::tlm_bw_transport_if<> {
 public:
  MemoryPort(const char* socket_name, bool dmi_enabled);
  MemoryPort(const MemoryPort&) = delete;
  MemoryPort& operator=(const MemoryPort&) = delete;

  tlm::tlm_initiator_socket<> socket;

  // One blocking transaction issued `delay` after the caller's SystemC time; `delay` becomes
  // the time of its completion (the caller's quantum keeper decides when to synchronise).
  tlm::tlm_response_status read(uint64_t address, void* data, uint64_t length_bytes,
                                sc_core::sc_time& delay);
  tlm::tlm_response_status write(uint64_t address, const void* data, uint64_t length_bytes,
                                 sc_core::sc_time& delay);

  // The same bytes as a sequence of transactions that each stay inside one aligned block of
  // `block_bytes` (a power of two: a register, a cache line), in address order, each issued when
  // the one before completes (uncached and device accesses are not overlapped); stops at the
  // first error. Under DMI the host does one memcpy and the times are computed.
  tlm::tlm_response_status read_blocks(uint64_t address, void* data, uint64_t length_bytes,
                                       uint64_t block_bytes, sc_core::sc_time& delay);
  tlm::tlm_response_status write_blocks(uint64_t address, const void* data, uint64_t length_bytes,
                                        uint64_t block_bytes, sc_core::sc_time& delay);

  // Time and statistics, no bytes moved (the caches of a core, whose data live in memory): the
  // lines of the 4 KiB page at `page_address` whose bits are set in `line_mask`, in address
  // order, the i-th of them issued at `arrivals.at(i)` (absolute time). Returns when the first
  // and the last complete; stops at the first error. Under DMI with a timing model, closed form.
  struct Timed {
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    Span done;
    // What one of them would take with nothing in its way (see UnloadedLatency).
    Ticks unloaded_latency = 0;
  };
  Timed charge_lines(tlm::tlm_command command, uint64_t page_address, uint64_t line_mask,
                     uint64_t line_bytes, const Arrivals& arrivals);

  // Memory-to-memory copy as a DMA engine makes it: blocks of `block_bytes` counted from the
  // start of the copy, each read from the source then written to the destination. The engine
  // issues a read every `issue_ticks` from `delay` on, with at most `outstanding` reads in
  // flight; each block is written when its read has completed. On return `delay` is when the
  // last write completed, and `next_issue` when the engine may issue the read of the block that
  // would follow. Stops at the first error, after the blocks before it are written. When both
  // ranges are granted DMI (and do not overlap) the host does one memcpy and the times are
  // computed in closed form.
  struct CopyResult {
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    bool failed_on_write = false;
    uint64_t bytes_done = 0;
    sc_core::sc_time next_issue;
  };
  CopyResult copy_blocks(uint64_t source, uint64_t destination, uint64_t length_bytes,
                         uint64_t block_bytes, Ticks issue_ticks, uint64_t outstanding,
                         sc_core::sc_time& delay);

  // Makes bytes zero with no time and no statistics. Under DMI, bytes that already read zero are
  // not written, so that the host does not back untouched memory with pages.
  tlm::tlm_response_status zero(uint64_t address, uint64_t length_bytes);
  // Moves bytes with no time and no statistics (DMI when granted, else debug transport).
  tlm::tlm_response_status move(tlm::tlm_command command, uint64_t address, uint8_t* data,
                                uint64_t length_bytes);

  // How the host writes the bytes of a move within memory granted DMI (see copy_streaming).
  enum class HostStores { cached, streaming };
  // Moves [source, + length_bytes) to `destination` as memmove does, with no time and no
  // statistics (one host memmove when both ranges are granted DMI; streaming stores when asked
  // and the ranges do not overlap).
  tlm::tlm_response_status move_within(uint64_t source, uint64_t destination, uint64_t length_bytes,
                                       HostStores stores = HostStores::cached);

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

    uint64_t local(uint64_t address) const { return address - grant.address_offset; }
  };

  tlm::tlm_response_status transport(tlm::tlm_command command, uint64_t address, uint8_t* data,
                                     uint64_t length_bytes, sc_core::sc_time& delay);
  tlm::tlm_response_status transport_blocks(tlm::tlm_command command, uint64_t address,
                                            uint8_t* data, uint64_t length_bytes,
                                            uint64_t block_bytes, sc_core::sc_time& delay);
  // Units of `unit_bytes` at consecutive addresses from `address` (`length_bytes` in all, the
  // last unit possibly shorter), the i-th issued at arrivals.at(i): through the region's timing
  // model (the bytes by one memcpy), or one transaction each. With `data` null, time only.
  // `units_done` counts the units moved before an error.
  Timed transfer_units(tlm::tlm_command command, uint64_t address, uint8_t* data,
                       uint64_t length_bytes, uint64_t unit_bytes, const Arrivals& arrivals,
                       uint64_t* units_done);
  const DmiRegion* find_dmi(uint64_t address, uint64_t length_bytes, bool write) const;
  const DmiRegion* find_timed_dmi(uint64_t address, uint64_t length_bytes, bool write) const;
  void request_dmi(uint64_t address);
  uint64_t debug_transport(tlm::tlm_command command, uint64_t address, uint8_t* data,
                           uint64_t length_bytes);

  bool dmi_enabled_;
  uint64_t transport_count_ = 0;
  uint64_t dmi_invalidations_ = 0;
  tlm::tlm_generic_payload payload_;
  // Owned by payload_ (a payload deletes its extensions).
  UnloadedLatency* unloaded_latency_;
  std::vector<uint8_t> bounce_;
  std::vector<uint8_t> scratch_;
  std::vector<DmiRegion> dmi_regions_;
};

}  // namespace zxvp
