#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>

#include "models/mmu/translation.h"

namespace zxvp {

enum class CacheMaintenance : uint8_t { clean, invalidate, clean_invalidate };

// Where a core's loads and stores go after translation: a cache level, or the bus. Caches are
// timing models (tags, LRU, dirty bits): the bytes themselves always live in memory, and move
// once, at the bottom of the path (`functional`), while each level adds the time its tags say.
class DataPath {
 public:
  // The kernel's page: the unit of the page-wide calls below.
  static constexpr uint64_t kPageBytes = 4096;

  virtual ~DataPath() = default;

  // A load or store by the core: bytes moved, time added to `delay`. `memory_type` is the page's
  // type from the MMU: caches allocate cached accesses only.
  virtual tlm::tlm_response_status access(tlm::tlm_command command, uint64_t physical_address,
                                          uint8_t* data, uint64_t length_bytes,
                                          MemoryType memory_type, sc_core::sc_time& delay) = 0;
  // The time and statistics of a cached access() without moving the bytes (a copy loop moves
  // them once, with MemoryPort::move_within).
  virtual tlm::tlm_response_status charge_cached(tlm::tlm_command command,
                                                 uint64_t physical_address, uint64_t length_bytes,
                                                 sc_core::sc_time& delay) = 0;
  // The time and statistics of storing zeros over [physical_address, + length_bytes) as a
  // kernel's page-zeroing loop does (AArch64 DC ZVA: whole lines are allocated already zero,
  // without a fill), without touching the bytes: the core zeroes them (see CpuCore).
  virtual tlm::tlm_response_status charge_zero(uint64_t physical_address, uint64_t length_bytes,
                                               sc_core::sc_time& delay) = 0;
  // A line-sized read by the level above (a miss there): time only.
  virtual tlm::tlm_response_status fill_line(uint64_t line_address, sc_core::sc_time& delay) = 0;
  // A dirty line written back by the level above: time only.
  virtual tlm::tlm_response_status write_back_line(uint64_t line_address,
                                                   sc_core::sc_time& delay) = 0;
  // The lines of the aligned 4 KiB page at `page_address` whose bits are set in `line_mask`
  // (bit i: the page's line i), each as fill_line() or write_back_line() would, in address
  // order; stops at the first error. A level may handle them at once (see Cache), with the same
  // time, statistics and end state.
  virtual tlm::tlm_response_status fill_page_lines(uint64_t page_address, uint64_t line_mask,
                                                   sc_core::sc_time& delay) = 0;
  virtual tlm::tlm_response_status write_back_page_lines(uint64_t page_address, uint64_t line_mask,
                                                         sc_core::sc_time& delay) = 0;
  // True when no two lines of a page meet below this level (each has a set of its own in every
  // cache, and the bus keeps no state), so that the level above may pass a page's lines in any
  // order that keeps each line's own write-back and fill in order.
  virtual bool keeps_page_lines_apart() const = 0;
  // True when every line of the range is plain memory whose accesses are charged in closed form
  // and cannot fail, so that levels above may move whole pages of lines at once.
  virtual bool charges_in_closed_form(uint64_t physical_address, uint64_t length_bytes) = 0;
  // Clean and/or invalidate the lines of [physical_address, + length_bytes) in this level and
  // every level below.
  virtual void maintain(CacheMaintenance operation, uint64_t physical_address,
                        uint64_t length_bytes, sc_core::sc_time& delay) = 0;
  // Moves the bytes with no time and no statistics.
  virtual tlm::tlm_response_status functional(tlm::tlm_command command, uint64_t physical_address,
                                              uint8_t* data, uint64_t length_bytes) = 0;
};

}  // namespace zxvp
