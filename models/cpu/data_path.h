#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>

#include "models/mmu/translation.h"
#include "sim/time/batch_timing.h"

namespace zxvp {

enum class CacheMaintenance : uint8_t { clean, invalidate, clean_invalidate };

// What a level of the data path is asked to do with lines: read them (a load, or a fill for the
// level above), write them (a store: the lines become dirty; a line written whole may be
// allocated without reading it), or take them written back by the level above (allocated
// without a fill, dirty).
enum class LineAccess : uint8_t { read, write, write_back };

// A batch of lines of one 4 KiB page asked of a level: the lines whose bits are set in
// `line_mask` (bit i: the page's line i), in address order, the k-th of them arriving at
// `arrivals.at(k)` (absolute time; arrivals.count is the number of bits set).
struct LineRequest {
  uint64_t page_address = 0;
  uint64_t line_mask = 0;
  LineAccess access = LineAccess::read;
  // For writes: the lines written whole, which need no fill (write streaming, page zeroing).
  uint64_t whole_lines = 0;
  Arrivals arrivals;
};

// Lines [first, first + count) of a page as a line mask.
inline uint64_t line_range(uint64_t first, uint64_t count) {
  const uint64_t ones = count >= 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
  return count == 0 ? 0 : ones << first;
}

struct LineResult {
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  // Reads and writes: when the first and the last line are done (the data delivered, the store
  // merged). Write-backs: when the level took the first and the last line (posted: the level
  // above need not wait for them further).
  Span done;
  // What one line of the batch would take with nothing in its way (for the MSHRs above).
  Ticks unloaded_latency = 0;
};

// Where a core's cached loads and stores go after translation: a cache level, or the bus.
// Caches are timing models (tags, LRU, dirty bits): the bytes themselves always live in memory
// and are moved once by the core (see CpuCore), while each level times what its tags say.
// Levels work in absolute time on batches of lines, so that misses overlap (several
// outstanding), bandwidth is shared with whoever else uses a level, and write-backs are posted.
class DataPath {
 public:
  // The kernel's page: the unit of a LineRequest.
  static constexpr uint64_t kPageBytes = 4096;

  virtual ~DataPath() = default;

  // A batch of cached lines: the core's loads and stores, or the misses and write-backs of the
  // level above.
  virtual LineResult lines(const LineRequest& request) = 0;
  // Uncached, device and write-combining accesses, with their bytes: they pass every cache, in
  // `cpu.register_bytes` transactions (write-combining stores merged into lines), each issued
  // when the one before completes; `now` (absolute) becomes the time the last one completed.
  virtual tlm::tlm_response_status access_uncached(tlm::tlm_command command,
                                                   uint64_t physical_address, uint8_t* data,
                                                   uint64_t length_bytes, MemoryType memory_type,
                                                   Ticks& now) = 0;
  // Clean and/or invalidate the lines of [physical_address, + length_bytes) in this level and
  // every level below, the operation issued at `now`; returns when the last line written back
  // has reached memory.
  virtual Ticks maintain(CacheMaintenance operation, uint64_t physical_address,
                         uint64_t length_bytes, Ticks now) = 0;
  // Moves the bytes with no time and no statistics.
  virtual tlm::tlm_response_status functional(tlm::tlm_command command, uint64_t physical_address,
                                              uint8_t* data, uint64_t length_bytes) = 0;
  // Forgets what this level and those below hold and owe (lines, queued work) as of `time`,
  // without time or statistics: a cold, idle memory system for a measurement.
  virtual void settle(Ticks time) = 0;
  // When this level and those below will have done all the work queued so far.
  virtual Ticks busy_until() const = 0;
};

// The lines of [physical_address, + length_bytes), within one 4 KiB page, as a batch arriving
// as `arrivals` gives (its count is filled in); with `whole_lines_without_fill`, the lines written
// whole are marked as needing no fill.
inline LineRequest page_lines(LineAccess access, uint64_t physical_address, uint64_t length_bytes,
                              uint64_t line_bytes, Arrivals arrivals,
                              bool whole_lines_without_fill) {
  const uint64_t page = physical_address & ~(DataPath::kPageBytes - 1);
  const uint64_t start = physical_address - page;
  const uint64_t end = start + length_bytes;
  const uint64_t first = start / line_bytes;
  const uint64_t last = (end - 1) / line_bytes;
  const uint64_t first_whole = (start + line_bytes - 1) / line_bytes;
  const uint64_t end_whole = end / line_bytes;
  arrivals.count = last - first + 1;
  return {page, line_range(first, arrivals.count), access,
          whole_lines_without_fill && end_whole > first_whole
              ? line_range(first_whole, end_whole - first_whole)
              : 0,
          arrivals};
}

}  // namespace zxvp
