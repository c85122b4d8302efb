#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/cpu/bus_data_path.h"
#include "models/cpu/core_quantum_keeper.h"
#include "models/cpu/data_path.h"
#include "models/mmu/mmu.h"
#include "models/tlm/memory_port.h"
#include "sim/params/parameter_set.h"
#include "sim/stats/statistics.h"
#include "sim/time/clock.h"

namespace zxvp {

struct CpuConfig {
  // Defaults: the `default` platform's machine (platforms/default.yaml says where they come from).
  uint64_t clock_mhz = 2400;
  uint64_t trap_entry_cycles = 64;
  uint64_t trap_exit_cycles = 64;
  uint64_t interrupt_latency_cycles = 4800;
  uint64_t line_bytes = 64;
  uint64_t register_bytes = 8;
  uint64_t outstanding_lines = 72;
  bool write_streaming = true;

  void bind(ParameterBinding& binding);
};

// Outcome of a load or store by virtual address: how many bytes went through before it
// stopped, and why it stopped (a translation fault at `fault_address`, or a bus error).
struct MemoryAccess {
  Fault fault = Fault::none;
  uint64_t fault_address = 0;
  uint64_t bytes_done = 0;
  tlm::tlm_response_status bus_status = tlm::TLM_OK_RESPONSE;

  bool ok() const { return fault == Fault::none && bus_status == tlm::TLM_OK_RESPONSE; }
};

// One processor core. Software (the kernel model, user programs: host-compiled C++) runs on it
// as SystemC threads started with start_thread(); one holds the core at a time, and gives it up
// only when it ends or waits for an interrupt. Everything software asks of the core costs
// simulated time on the core's local clock, kept with temporal decoupling (a quantum keeper):
// loads and stores go VA -> MMU -> data path (caches, or straight to the bus) -> memory; traps
// cost their entry and exit cycles; computation costs what software says it does.
//
// The core overlaps memory work as an out-of-order core does: the lines of a load or store are
// issued as a batch per page (the caches time them, misses overlapping), a store does not wait
// for its lines (a store buffer), and the loads of a copy run ahead of their completion by up to
// `outstanding_lines` lines (the load queue) before the core waits for the oldest. A load whose
// value software uses (load(), physical_read(), a page-table walk) waits for its data. drain()
// waits for everything outstanding; software's own work (compute()), device accesses, cache
// maintenance and interrupt waits drain first (they retire or are ordered after earlier loads
// and stores), and the kernel drains before it returns.
class CpuCore : public sc_core::sc_module {
 public:
  // Called on a translation fault of a load or store; returns true when it repaired the mapping
  // (a page populated on first touch), after which the access is retried once.
  using FaultHandler = std::function<bool(uint64_t virtual_address, AccessType, Fault)>;

  MemoryPort data_port;
  sc_core::sc_vector<sc_core::sc_in<bool>> irq;

  CpuCore(const sc_core::sc_module_name& name, const CpuConfig& config, Mmu& mmu,
          size_t interrupt_lines, bool dmi, StatisticsRegistry& statistics);

  // Elaboration: the caches go between the core and `bus_path()`.
  void attach_data_path(DataPath* path) { data_path_ = path; }
  DataPath& bus_path() { return bus_path_; }
  // Cache maintenance by physical range (clean, invalidate), at the core's time, after earlier
  // stores; returns when the lines written back have reached memory.
  void maintain_caches(CacheMaintenance operation, uint64_t physical_address,
                       uint64_t length_bytes);
  // Waits for the loads and stores issued so far to complete.
  void drain();
  // Waits (without anything to do) until absolute time `time`.
  void idle_until(Ticks time) { quantum_.advance_to(time); }
  DataPath& data_path() { return *data_path_; }
  void set_fault_handler(FaultHandler handler) { fault_handler_ = std::move(handler); }

  // Starts `program` as a software thread on this core.
  void start_thread(const std::string& name, std::function<void()> program);
  // Runs `work` as software on this core for a thread the core did not start (a TLM initiator
  // calling the kernel through a socket): waits until no other thread holds the core, starts at
  // absolute time `start` or when the core is free, whichever is later, and returns the absolute
  // time at which the work ended. The calling thread does not wait for that time: it carries it
  // as its own offset (temporal decoupling), and the core is busy until then for whoever takes
  // it next.
  Ticks run_for_caller(Ticks start, const std::function<void()>& work);

  // --- Called by software running on this core ---
  MemoryAccess load(uint64_t virtual_address, void* data, uint64_t length_bytes,
                    Privilege privilege = Privilege::user);
  MemoryAccess store(uint64_t virtual_address, const void* data, uint64_t length_bytes,
                     Privilege privilege = Privilege::user);
  // Kernel accesses by physical address (Zircon's physmap): no translation.
  tlm::tlm_response_status physical_read(uint64_t physical_address, void* data,
                                         uint64_t length_bytes,
                                         MemoryType memory_type = MemoryType::cached);
  tlm::tlm_response_status physical_write(uint64_t physical_address, const void* data,
                                          uint64_t length_bytes,
                                          MemoryType memory_type = MemoryType::cached);
  // The kernel's page-zeroing loop (whole lines zeroed in the cache without a fill).
  tlm::tlm_response_status physical_zero(uint64_t physical_address, uint64_t length_bytes);
  // A copy loop in the kernel: loads of the source lines, stores of the destination lines
  // (full lines stored without reading them when `write_streaming`).
  tlm::tlm_response_status copy_physical(uint64_t source, uint64_t destination,
                                         uint64_t length_bytes,
                                         MemoryType source_type = MemoryType::cached,
                                         MemoryType destination_type = MemoryType::cached);
  // A translation as the kernel's user-copy routine makes it (costs the MMU's time).
  Translation translate(uint64_t virtual_address, AccessType access, Privilege privilege);

  void set_address_space(uint64_t root_table_physical, uint16_t asid);
  void trap_entry();
  void trap_exit();
  void compute(uint64_t cycles);
  // A few dozen instructions that do not use the data in flight: they retire beside the loads and
  // stores outstanding (the reorder buffer holds hundreds), so they wait for none of them.
  void compute_beside_memory(uint64_t cycles);
  // Gives up the core until interrupt line `line` is high; costs the interrupt latency after.
  void wait_for_interrupt(size_t line);
  void sync();

  // Core time: SystemC time plus the local offset not yet synchronised (asked by software
  // running on this core).
  sc_core::sc_time local_time() const { return quantum_.get_current_time(); }
  Ticks now() const { return quantum_.now(); }
  uint64_t cycles() const { return clock_.cycles_in(local_time()); }
  // The cycle by which the loads and stores issued so far are done: what drain() waits for.
  uint64_t memory_done_cycles() const;
  const Clock& clock() const { return clock_; }
  Mmu& mmu() { return mmu_; }

  // --- A hart interpreting user instructions on this core (models/cpu/rv64_hart.h) ---
  // Its accesses take the same MMU and caches as everything above. Each call is made after
  // `cycles_before` cycles of instructions not yet added to the core's time, which it adds first,
  // so that every access is issued at the right time.

  // Elaboration: instruction fetches go through `path` (an instruction cache) rather than the
  // data path.
  void attach_fetch_path(DataPath* path) { fetch_path_ = path; }
  bool fetches_through_data_path() const { return fetch_path_ == nullptr; }
  uint64_t line_bytes() const { return config_.line_bytes; }
  // The hart takes the core back after software ran: the bytes of the kernel's last copies are
  // put in place before it reads memory through host pointers.
  void guest_enter();
  // A user translation for the hart's own TLBs: the MMU's time is charged; a fault is returned
  // to the hart, which hands it to software, rather than served here. Cached memory granted DMI
  // comes with a host pointer to the page, through which the hart moves bytes itself.
  struct GuestPage {
    Translation translation;
    uint8_t* host_page = nullptr;
  };
  GuestPage guest_translate(uint64_t virtual_address, AccessType access, uint64_t cycles_before);
  // The time of an instruction fetch (a line or two of the fetch path), no bytes.
  tlm::tlm_response_status guest_fetch(uint64_t physical_address, uint64_t length_bytes,
                                       uint64_t cycles_before);
  // The time of a cached load or store whose bytes the hart moves through a host pointer.
  tlm::tlm_response_status guest_charge(tlm::tlm_command command, uint64_t physical_address,
                                        uint64_t length_bytes, uint64_t cycles_before);
  // A load or store of the hart to memory that is not cached (after earlier stores): bytes and
  // time.
  tlm::tlm_response_status guest_access(tlm::tlm_command command, uint64_t physical_address,
                                        uint8_t* data, uint64_t length_bytes,
                                        MemoryType memory_type, uint64_t cycles_before);
  // Moves the bytes of a cached access already charged (guest_charge) that has no host pointer
  // (no DMI): no time.
  tlm::tlm_response_status guest_move(tlm::tlm_command command, uint64_t physical_address,
                                      uint8_t* data, uint64_t length_bytes);
  // Reads code with no time, for decoding a page that has no host pointer.
  tlm::tlm_response_status guest_read_code(uint64_t physical_address, uint8_t* data,
                                           uint64_t length_bytes);

 private:
  // The time by which the loads and stores issued so far are done.
  Ticks memory_done() const;
  MemoryAccess access(tlm::tlm_command command, uint64_t virtual_address, uint8_t* data,
                      uint64_t length_bytes, Privilege privilege);
  // A cached load or store of [physical_address, + length_bytes) (within one page) issued now:
  // times it, moves its bytes, and waits for a load's data.
  tlm::tlm_response_status cached_access(tlm::tlm_command command, uint64_t physical_address,
                                         uint8_t* data, uint64_t length_bytes);
  // A kernel access by physical address, page by page, cached or not.
  tlm::tlm_response_status physical_access(tlm::tlm_command command, uint64_t physical_address,
                                           uint8_t* data, uint64_t length_bytes,
                                           MemoryType memory_type);
  // An uncached, device or write-combining access, after earlier stores.
  tlm::tlm_response_status uncached_access(tlm::tlm_command command, uint64_t physical_address,
                                           uint8_t* data, uint64_t length_bytes,
                                           MemoryType memory_type);
  // The lines of [physical_address, + length_bytes) (within one page) as a batch for the data
  // path, arriving as `arrivals` gives (count filled in here).
  LineRequest line_request(LineAccess access, uint64_t physical_address, uint64_t length_bytes,
                           Arrivals arrivals, bool whole_lines_without_fill) const;
  // Loads of a copy: waits until `lines` more fit in the load queue, issues them, and keeps
  // them in flight.
  LineResult issue_loads(uint64_t physical_address, uint64_t length_bytes);
  // Stores: issued as `arrivals` gives, not waited for.
  LineResult issue_stores(uint64_t physical_address, uint64_t length_bytes,
                          const Arrivals& arrivals, bool whole_lines_without_fill);
  void add_time(const sc_core::sc_time& time);
  void maybe_sync();
  // A thread takes the core after waiting: SystemC time (and what is scheduled) may have moved.
  void resume();
  // Copies move their bytes after their time is charged, and consecutive ones (a copy loop's
  // pages, physically contiguous on both sides) move together: the host copies 64 KiB runs
  // faster than 4 KiB pages. Zeroing waits the same way, and a copy that then overwrites the
  // whole zeroed range (a fresh page filled by a write) makes it unneeded. A copy longer than the
  // host's private caches moves by streaming stores (see copy_streaming). Anything else the core
  // does with memory, and any yield (after which other models may read memory), applies what is
  // pending first.
  void defer_move(uint64_t source, uint64_t destination, uint64_t length_bytes);
  // Adds the cycles of a hart's instructions run since its last call.
  void guest_advance(uint64_t cycles);
  void flush_pending();

  Clock clock_;
  CpuConfig config_;
  Mmu& mmu_;
  BusDataPath bus_path_;
  DataPath* data_path_;
  DataPath* fetch_path_ = nullptr;  // null: fetches take the data path (a unified L1)
  FaultHandler fault_handler_;
  CoreQuantumKeeper quantum_;
  sc_core::sc_mutex core_;
  // Until when work run for a caller keeps the core busy (run_for_caller does not synchronise).
  Ticks busy_until_ = 0;
  struct PendingMove {
    uint64_t source = 0;
    uint64_t destination = 0;
    uint64_t length_bytes = 0;
    MemoryPort::HostStores stores = MemoryPort::HostStores::cached;
  } pending_move_;
  // The copy that the latest moves continue (contiguous on either side), however many runs it
  // took: past the host's private caches its bytes go by streaming stores.
  struct MoveStreak {
    uint64_t source_end = 0;
    uint64_t destination_end = 0;
    uint64_t length_bytes = 0;
  } move_streak_;
  struct PendingZero {
    uint64_t address = 0;
    uint64_t length_bytes = 0;
  } pending_zero_;
  // Time from SystemC's now to the next activity of any other process, as last asked; valid
  // until the core yields or sends a transaction through b_transport.
  sc_core::sc_time horizon_;
  bool horizon_known_ = false;
  uint64_t transports_at_horizon_ = 0;
  // Loads in flight, oldest first: when they complete and how many lines they are.
  struct LoadsInFlight {
    Ticks done = 0;
    uint64_t lines = 0;
  };
  std::vector<LoadsInFlight> loads_in_flight_;
  uint64_t lines_in_flight_ = 0;
  // When the stores issued so far will have completed.
  Ticks stores_done_ = 0;
  std::vector<uint8_t> bounce_;
  Counter& loads_;
  Counter& stores_;
  Counter& load_bytes_;
  Counter& store_bytes_;
  Counter& traps_;
  Counter& translation_faults_;
  Counter& interrupts_waited_;
};

}  // namespace zxvp
